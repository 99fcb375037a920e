/**
 * E14 metrics as pure rules: the figures both the rollup (event_stats) and a live scan of events
 * produce, how a period splits into whole China months (rollup) and partial ones (live), and how
 * the answer is computed from them (on-time counts open-and-overdue events as late).
 */
/**
 * Figures as sums: what both the rollup (event_stats) and a live scan of events produce,
 * so a period can be answered from whole months of the rollup plus its partial months live.
 */
export interface Figures {
  byState: Record<string, number>;
  byTier: Record<string, number>;
  byChannel: Record<string, number>;
  total: number;
  gridCollected: number;
  selfClosed: number;
  closed: number;
  lateClosed: number;
  dueClosed: number;
  closeMs: number;
  /** Per tier: stays, completed stays' total ms, open stays and the sum of their entry times (epoch s). */
  dwell: Record<string, { stays: number; doneMs: number; open: number; openEnteredSec: number }>;
}

export function emptyFigures(): Figures {
  return { byState: {}, byTier: {}, byChannel: {}, total: 0, gridCollected: 0, selfClosed: 0, closed: 0, lateClosed: 0, dueClosed: 0, closeMs: 0, dwell: {} };
}

const addCounts = (a: Record<string, number>, b: Record<string, number>) => {
  for (const [k, v] of Object.entries(b)) if (v) a[k] = (a[k] ?? 0) + v;
};

export function addFigures(a: Figures, b: Figures): Figures {
  addCounts(a.byState, b.byState);
  addCounts(a.byTier, b.byTier);
  addCounts(a.byChannel, b.byChannel);
  a.total += b.total;
  a.gridCollected += b.gridCollected;
  a.selfClosed += b.selfClosed;
  a.closed += b.closed;
  a.lateClosed += b.lateClosed;
  a.dueClosed += b.dueClosed;
  a.closeMs += b.closeMs;
  for (const [tier, d] of Object.entries(b.dwell)) {
    const x = (a.dwell[tier] ??= { stays: 0, doneMs: 0, open: 0, openEnteredSec: 0 });
    x.stays += d.stays;
    x.doneMs += d.doneMs;
    x.open += d.open;
    x.openEnteredSec += d.openEnteredSec;
  }
  return a;
}

/** Levels whose subtrees the rollup answers exactly (its rows are keyed by village). */
export const ROLLUP_LEVELS = new Set(['country', 'province', 'city', 'county', 'township', 'village']);

/** China (UTC+8) month starts: the first at or after `d`, and the last at or before `d`. */
export function chinaMonthStart(d: Date, dir: 'ceil' | 'floor'): Date {
  const cn = new Date(d.getTime() + 8 * 3600_000);
  let start = new Date(Date.UTC(cn.getUTCFullYear(), cn.getUTCMonth(), 1) - 8 * 3600_000);
  if (dir === 'ceil' && start.getTime() < d.getTime()) start = new Date(Date.UTC(cn.getUTCFullYear(), cn.getUTCMonth() + 1, 1) - 8 * 3600_000);
  return start;
}

export const WEEK_MS = 7 * 86400_000;

/**
 * The dashboard's weeks: the `n` China weeks (Monday 00:00 UTC+8) ending with the week of `now`,
 * as their start instants and their dates (YYYY-MM-DD). An event's week is
 * floor((its time − first start) / WEEK_MS).
 */
export function chinaWeeks(now: Date, n: number): { first: Date; days: string[] } {
  const cn = new Date(now.getTime() + 8 * 3600_000);
  const monday = Date.UTC(cn.getUTCFullYear(), cn.getUTCMonth(), cn.getUTCDate() - ((cn.getUTCDay() + 6) % 7)) - 8 * 3600_000;
  const first = monday - (n - 1) * WEEK_MS;
  return { first: new Date(first), days: Array.from({ length: n }, (_, i) => monthKey(new Date(first + i * WEEK_MS))) };
}

const monthKey = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Splits [from, to) into whole China months (for the rollup) and the partial months at either
 * end (for a live scan). Unbounded ends are whole.
 */
export function splitPeriod(from: Date | undefined, to: Date | undefined): { months: { from?: string; to?: string } | null; live: Array<{ from?: Date; to?: Date }> } {
  const a = from ? chinaMonthStart(from, 'ceil') : undefined;
  const b = to ? chinaMonthStart(to, 'floor') : undefined;
  if (a && b && a.getTime() >= b.getTime()) return { months: null, live: [{ from, to }] };
  const live: Array<{ from?: Date; to?: Date }> = [];
  if (from && a && from.getTime() < a.getTime()) live.push({ from, to: a });
  if (to && b && b.getTime() < to.getTime()) live.push({ from: b, to });
  return { months: { from: a ? monthKey(a) : undefined, to: b ? monthKey(b) : undefined }, live };
}

const ms = (v: unknown) => (v == null ? null : Math.round(Number(v)));


/**
 * The answer's figures: counts as summed, mean time to close and mean dwell per tier (open stays
 * measured against `now`), and the on-time rate, which counts open-and-overdue events as late as
 * well as closed-late ones (a known pitfall of 311 statistics is to count closed ones only).
 */
export function summarizeFigures(f: Figures, overdue: number, medianMs: number | null, now: Date) {
  const judged = f.dueClosed + overdue;
  const late = f.lateClosed + overdue;
  const nowSec = now.getTime() / 1000;
  return {
    total: f.total,
    byState: f.byState,
    byTier: f.byTier,
    byChannel: f.byChannel,
    selfClosure: { gridCollected: f.gridCollected, selfClosed: f.selfClosed, rate: f.gridCollected ? f.selfClosed / f.gridCollected : null },
    timeToClose: { closed: f.closed, meanMs: f.closed ? ms(f.closeMs / f.closed) : null, medianMs: ms(medianMs) },
    dwellByTier: Object.fromEntries(
      Object.entries(f.dwell).map(([tier, d]) => [tier, { stays: d.stays, meanMs: d.stays ? ms((d.doneMs + (d.open * nowSec - d.openEnteredSec) * 1000) / d.stays) : null }]),
    ),
    overdue,
    onTime: { judged, late, rate: judged ? (judged - late) / judged : null },
  };
}
