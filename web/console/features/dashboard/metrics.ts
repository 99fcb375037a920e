/**
 * The dashboard reads `GET /api/v1/metrics/events?regionId=&from=&to=&categoryCode=`. The
 * normaliser accepts counts as `{code: n}` records or `[{key|code|state|tier|channel, count}]`
 * arrays and rates as fractions (0.83) or percentages (83), so the screen does not break while
 * the metrics route settles its exact shape.
 */
export interface Metrics {
  total: number;
  overdue: number;
  byState: Record<string, number>;
  byTier: Record<string, number>;
  byChannel: Record<string, number>;
  /** Fractions 0..1, null when there is nothing to measure. */
  selfClosureRate: number | null;
  onTimeRate: number | null;
  closeTimeMedianHours: number | null;
  byRegion: Array<{ regionId: string; name: string; total: number; overdue: number; level?: string }>;
  weekly: Array<{ week: string; created: number; closed: number }>;
  hotspots: Array<{ name: string; count: number; businessId?: string; regionId?: string; category?: string }>;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : 0);

export function counts(x: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (Array.isArray(x)) {
    for (const r of x as Array<Record<string, unknown>>) {
      const k = r.key ?? r.code ?? r.state ?? r.tier ?? r.channel ?? r.name;
      if (k !== undefined && k !== null) out[String(k)] = num(r.count ?? r.n ?? r.value ?? r.total);
    }
  } else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = typeof v === 'object' && v ? num((v as any).count ?? (v as any).total) : num(v);
  }
  return out;
}

export function rate(x: unknown): number | null {
  if (x === null || x === undefined) return null;
  if (typeof x === 'object') return rate((x as any).rate ?? (x as any).value ?? null);
  const n = num(x);
  if (typeof x === 'string' && x.trim() === '') return null;
  return n > 1 ? n / 100 : n;
}

export function normalise(m: any): Metrics {
  m = m ?? {};
  const byState = counts(m.byState ?? m.states ?? m.counts?.byState ?? m.counts?.state);
  const byTier = counts(m.byTier ?? m.tiers ?? m.counts?.byTier ?? m.counts?.tier);
  const byChannel = counts(m.byChannel ?? m.channels ?? m.counts?.byChannel ?? m.counts?.channel);
  const total = m.total !== undefined ? num(m.total) : Object.values(byState).reduce((a, b) => a + b, 0);
  const regionsRaw: any[] = m.byRegion ?? m.overdueByRegion ?? m.regions ?? m.children ?? [];
  const weeklyRaw: any[] = m.weekly ?? m.weeklyTrend ?? m.trend ?? [];
  const hotRaw: any[] = m.hotspots ?? [];
  return {
    total,
    overdue: num(m.overdue ?? m.overdueCount ?? m.overdueOpen ?? 0),
    byState,
    byTier,
    byChannel,
    selfClosureRate: rate(m.selfClosureRate ?? m.selfClosure),
    onTimeRate: rate(m.onTimeRate ?? m.onTime),
    closeTimeMedianHours:
      m.medianHoursToClose ??
      m.closeTimeMedianHours ??
      (m.timeToClose?.medianHours != null ? num(m.timeToClose.medianHours) : m.timeToClose?.medianMs != null ? num(m.timeToClose.medianMs) / 3_600_000 : null),
    byRegion: Array.isArray(regionsRaw)
      ? regionsRaw.map((r) => ({
          regionId: String(r.regionId ?? r.id ?? ''),
          name: String(r.regionName ?? r.name ?? r.regionId ?? ''),
          total: num(r.total ?? r.count ?? 0),
          overdue: num(r.overdue ?? r.overdueCount ?? 0),
          level: r.level,
        }))
      : [],
    weekly: Array.isArray(weeklyRaw)
      ? weeklyRaw.map((w) => ({ week: String(w.week ?? w.weekStart ?? w.period ?? w.date ?? ''), created: num(w.created ?? w.reported ?? w.count ?? 0), closed: num(w.closed ?? 0) }))
      : [],
    hotspots: Array.isArray(hotRaw)
      ? hotRaw.map((h) => ({
          name: String(h.businessName ?? h.name ?? h.title ?? h.regionName ?? h.categoryName ?? h.categoryCode ?? '—'),
          count: num(h.count ?? h.reports ?? h.n ?? 0),
          businessId: h.businessId ?? undefined,
          regionId: h.regionId ?? undefined,
          category: h.categoryName ?? h.categoryCode ?? undefined,
        }))
      : [],
  };
}

export const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
