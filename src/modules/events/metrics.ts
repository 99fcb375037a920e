import { sql, type RawBuilder } from 'kysely';
import { inChunks } from '../../db/pace.js';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { CHANNELS, EVENT_STATES, TIERS, ROLLUP_LEVELS, WEEK_MS, addFigures, chinaWeeks, emptyFigures, splitPeriod, summarizeFigures, type Figures } from '../../domain/events/index.js';
import { getRegionInScope, likePrefix, scopeCondition } from '../regions/store.js';
import { invalid } from '../../domain/errors.js';
import { ACTIVE, parseDate, type MetricsQuery } from './queries.js';
import { OWN_ONLY_ROLES, eventScopeCondition } from './store.js';

/** E14's counts of events (alias e) as the rollup keeps them: the live scans of the figures and of the league table share them. */
const LIVE_COUNTS = sql`count(*) FILTER (WHERE e.state <> 'merged')::int AS total,
              count(*) FILTER (WHERE e.channel = 'grid_patrol' AND e.state <> 'merged')::int AS grid_collected,
              count(*) FILTER (WHERE e.channel = 'grid_patrol' AND e.state = 'closed' AND e.tier IN ('grid','grid_leader'))::int AS self_closed,
              count(*) FILTER (WHERE e.state = 'closed')::int AS closed,
              count(*) FILTER (WHERE e.state = 'closed' AND e.deadline IS NOT NULL AND COALESCE(e.resolved_at, e.closed_at) > e.deadline)::int AS late_closed,
              count(*) FILTER (WHERE e.state = 'closed' AND e.deadline IS NOT NULL)::int AS due_closed`;

/** Events created in [a, b) (alias e). */
const createdBetween = (a?: Date, b?: Date) => [...(a ? [sql`e.created_at >= ${a}`] : []), ...(b ? [sql`e.created_at < ${b}`] : [])];

/** Rollup rows (alias s) of the whole China months [from, to). */
const monthsBetween = (m: { from?: string; to?: string }) => [...(m.from ? [sql`s.month >= ${m.from}::date`] : []), ...(m.to ? [sql`s.month < ${m.to}::date`] : [])];

/** The figures of the events matching `where` (alias e), scanning them. */
async function liveFigures(db: Tx, where: RawBuilder<unknown>): Promise<Figures> {
  type Row = {
    gs: number;
    gt: number;
    gc: number;
    state: string | null;
    tier: string | null;
    channel: string | null;
    n: number;
    total: number;
    grid_collected: number;
    self_closed: number;
    closed: number;
    late_closed: number;
    due_closed: number;
    close_ms: number | null;
  };
  // One pass (index-only on events_metrics_idx): the three breakdowns and the totals as grouping sets.
  const rows = (
    await sql<Row>`SELECT GROUPING(e.state)::int AS gs, GROUPING(e.tier)::int AS gt, GROUPING(e.channel)::int AS gc,
              e.state, e.tier, e.channel, count(*)::int AS n,
              ${LIVE_COUNTS},
              sum(EXTRACT(EPOCH FROM (e.closed_at - e.created_at)) * 1000) FILTER (WHERE e.state = 'closed') AS close_ms
         FROM events e WHERE ${where}
        GROUP BY GROUPING SETS ((e.state), (e.tier), (e.channel), ())`.execute(db)
  ).rows;
  const f = emptyFigures();
  for (const r of rows) {
    if (!r.gs) f.byState[r.state!] = r.n;
    else if (!r.gt) f.byTier[r.tier!] = r.n;
    else if (!r.gc) f.byChannel[r.channel!] = r.n;
    else {
      f.total = r.total;
      f.gridCollected = r.grid_collected;
      f.selfClosed = r.self_closed;
      f.closed = r.closed;
      f.lateClosed = r.late_closed;
      f.dueClosed = r.due_closed;
      f.closeMs = Number(r.close_ms ?? 0);
    }
  }
  const dwell = (
    await sql<{ tier: string; stays: number; done_ms: number | null; open: number; open_entered: number | null }>`
      SELECT d.tier, count(*)::int AS stays,
             sum(EXTRACT(EPOCH FROM (d.left_at - d.entered_at)) * 1000) FILTER (WHERE d.left_at IS NOT NULL) AS done_ms,
             count(*) FILTER (WHERE d.left_at IS NULL)::int AS open,
             sum(EXTRACT(EPOCH FROM d.entered_at)) FILTER (WHERE d.left_at IS NULL) AS open_entered
        FROM event_tier_dwell d JOIN events e ON e.id = d.event_id
       WHERE ${where}
       GROUP BY d.tier`.execute(db)
  ).rows;
  for (const d of dwell) f.dwell[d.tier] = { stays: d.stays, doneMs: Number(d.done_ms ?? 0), open: d.open, openEnteredSec: Number(d.open_entered ?? 0) };
  return f;
}

const STAT_COLUMNS =
  'village_path, month, category_code, state_n, tier_n, channel_n, total, grid_collected, self_closed, closed, late_closed, due_closed, close_ms, dwell_n, dwell_done_ms, dwell_open, dwell_open_entered';

/** The rollup's rows, folded or still pending in the log (alias them s). */
const ROLLUP_ROWS = sql`(SELECT * FROM event_stats UNION ALL SELECT ${sql.raw(STAT_COLUMNS)} FROM event_stats_pending)`;

/**
 * Folds the rollup's pending log rows into event_stats (job `events.stats`); returns how many.
 * Chunks of 10,000 rows (N3): a chunk's cost grows mostly with the places it looks up and the
 * rollup rows it updates, which a county bounds, and far less with its rows; on the intake
 * bench's log 2,000 rows took 39 ms and 10,000 took 84 ms (19.5 → 8.4 µs a row), and under
 * intake the fold's share of the database's busy time fell from 0.108 to 0.052.
 */
export async function foldEventStats(db: Tx, opts: { maxRows?: number; pace?: boolean } = {}): Promise<number> {
  const maxRows = opts.maxRows ?? 10_000;
  return inChunks(async () => (await sql<{ n: number }>`SELECT event_stats_fold(${maxRows}) AS n`.execute(db)).rows[0].n, maxRows, { pace: opts.pace });
}

/**
 * Readers scan the log (event_stats_pending): the job `events.stats.vacuum` clears what the folds
 * left dead once a minute rather than after every fold (a vacuum costs more than the fold under
 * heavy intake) or only when autovacuum comes round.
 */
export async function vacuumEventStatsLog(db: Tx): Promise<void> {
  await sql`VACUUM event_stats_log`.execute(db);
}

/** The figures of the rollup rows matching `where` (alias s), folded or still pending: sums of a few thousand rows for a county. */
async function rollupFigures(db: Tx, where: RawBuilder<unknown>): Promise<Figures> {
  const col = (c: string, i: number, as: string) => sql.raw(`COALESCE(sum(s.${c}[${i + 1}]), 0) AS "${as}"`);
  const cols = [
    ...EVENT_STATES.map((st, i) => col('state_n', i, `state:${st}`)),
    ...TIERS.map((t, i) => col('tier_n', i, `tier:${t}`)),
    ...CHANNELS.map((c, i) => col('channel_n', i, `channel:${c}`)),
    ...TIERS.flatMap((t, i) => [col('dwell_n', i, `stays:${t}`), col('dwell_done_ms', i, `done:${t}`), col('dwell_open', i, `open:${t}`), col('dwell_open_entered', i, `entered:${t}`)]),
  ];
  const r = (
    await sql<Record<string, number | null>>`SELECT ${sql.join(cols)},
        COALESCE(sum(s.total), 0) AS total, COALESCE(sum(s.grid_collected), 0) AS grid_collected, COALESCE(sum(s.self_closed), 0) AS self_closed,
        COALESCE(sum(s.closed), 0) AS closed, COALESCE(sum(s.late_closed), 0) AS late_closed, COALESCE(sum(s.due_closed), 0) AS due_closed,
        COALESCE(sum(s.close_ms), 0) AS close_ms
        FROM ${ROLLUP_ROWS} s WHERE ${where}`.execute(db)
  ).rows[0];
  const n = (k: string) => Number(r[k] ?? 0);
  const f = emptyFigures();
  for (const st of EVENT_STATES) if (n(`state:${st}`)) f.byState[st] = n(`state:${st}`);
  for (const t of TIERS) if (n(`tier:${t}`)) f.byTier[t] = n(`tier:${t}`);
  for (const c of CHANNELS) if (n(`channel:${c}`)) f.byChannel[c] = n(`channel:${c}`);
  for (const t of TIERS) {
    if (n(`stays:${t}`)) f.dwell[t] = { stays: n(`stays:${t}`), doneMs: n(`done:${t}`), open: n(`open:${t}`), openEnteredSec: n(`entered:${t}`) };
  }
  f.total = n('total');
  f.gridCollected = n('grid_collected');
  f.selfClosed = n('self_closed');
  f.closed = n('closed');
  f.lateClosed = n('late_closed');
  f.dueClosed = n('due_closed');
  f.closeMs = n('close_ms');
  return f;
}

/** Whether every subtree in play (the region asked for, the caller's scope) is at village level or above. */
async function rollupAnswers(db: Tx, actor: Actor, regionLevel: string | null): Promise<boolean> {
  if (OWN_ONLY_ROLES.has(actor.role)) return false;
  if (regionLevel && !ROLLUP_LEVELS.has(regionLevel)) return false;
  const paths = actor.scope.filter((p) => p !== '/');
  if (actor.scope.includes('/') || !paths.length) return true;
  const levels = await db.selectFrom('regions').select(['path', 'level']).where('path', 'in', paths).execute();
  return levels.length === paths.length && levels.every((l) => ROLLUP_LEVELS.has(l.level));
}

/**
 * GET /api/v1/metrics/events. Every figure is restricted to the caller's jurisdiction and the
 * region subtree, period (created_at) and category. Merged duplicates count in `byState` only.
 * Whole China months of subtrees at village level or above come from the rollup (event_stats);
 * partial months, smaller subtrees and own-report roles are scanned live. Overdue and the median
 * time to close are always read live (they depend on now, and a median does not add up).
 * `live` forces the scan (tests compare both).
 */
export async function eventMetrics(ctx: AppContext, actor: Actor, q: MetricsQuery, opts: { live?: boolean } = {}) {
  const now = ctx.now();
  const own = OWN_ONLY_ROLES.has(actor.role);
  const eventConds: RawBuilder<unknown>[] = [own ? eventScopeCondition(actor) : scopeCondition('e.region_path', actor.scope)];
  const statConds: RawBuilder<unknown>[] = [scopeCondition('s.village_path', actor.scope)];
  let region: { id: string; path: string; level: string } | null = null;
  if (q.regionId) {
    const r = await getRegionInScope(ctx.db, q.regionId, actor.scope, 'regionId');
    region = { id: String(r.id), path: r.path, level: r.level };
    eventConds.push(sql`e.region_path LIKE ${likePrefix(r.path)}`);
    statConds.push(sql`s.village_path LIKE ${likePrefix(r.path)}`);
  }
  const from = parseDate(q.from, 'from');
  const to = parseDate(q.to, 'to');
  if (q.categoryCode) {
    eventConds.push(sql`e.category_code = ${q.categoryCode}`);
    statConds.push(sql`s.category_code = ${q.categoryCode}`);
  }
  const whereEvents = (a?: Date, b?: Date) => sql.join([...eventConds, ...createdBetween(a, b)], sql` AND `);

  const where = whereEvents(from, to);
  // The live figures and the summed ones are independent: three connections at once.
  const overduePart = sql<{ n: number }>`SELECT count(*)::int AS n FROM events e
      WHERE ${where} AND e.state IN ${ACTIVE} AND e.deadline < ${now}`.execute(ctx.db);
  // date_part gives float8 seconds; EXTRACT gives numeric, whose sort made this the slowest part
  // of a county's metrics (1M events: p99 of the request 67–76 → 52–55 ms).
  const medianPart = sql<{ median_ms: number | null }>`SELECT
        percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', e.closed_at - e.created_at)) * 1000 AS median_ms
      FROM events e WHERE ${where} AND e.state = 'closed'`.execute(ctx.db);
  const summed = (async () => {
    const split = splitPeriod(from, to);
    if (!opts.live && split.months && (await rollupAnswers(ctx.db, actor, region?.level ?? null))) {
      const m = split.months;
      const f = await rollupFigures(ctx.db, sql.join([...statConds, ...monthsBetween(m)], sql` AND `));
      for (const part of split.live) addFigures(f, await liveFigures(ctx.db, whereEvents(part.from, part.to)));
      return f;
    }
    return liveFigures(ctx.db, whereEvents(from, to));
  })();
  const [figures, overdueRow, medianRow] = await Promise.all([summed, overduePart, medianPart]);
  const live = { overdue: overdueRow.rows[0].n, median_ms: medianRow.rows[0]?.median_ms ?? null };
  return {
    regionId: region?.id ?? null,
    from: from?.toISOString() ?? null,
    to: to?.toISOString() ?? null,
    categoryCode: q.categoryCode ?? null,
    ...summarizeFigures(figures, live.overdue, live.median_ms, now),
  };
}

/**
 * GET /api/v1/metrics/events/by-region: the E14 figures for each child of a region (county →
 * townships, township → villages …), children without events included, for league tables.
 * Below a region at township level or above, whole China months come from the rollup summed by
 * child (as eventMetrics does for the region itself), the partial months are scanned; overdue is
 * always counted live (it depends on now). A village's children (units) are scanned: the rollup
 * stops at villages. `live` forces the scan (tests compare both).
 */
export async function eventMetricsByRegion(ctx: AppContext, actor: Actor, q: MetricsQuery, opts: { live?: boolean } = {}) {
  const now = ctx.now();
  let regionId = q.regionId;
  if (!regionId) {
    const only = actor.scope.length === 1 && actor.scope[0] !== '/' ? actor.scope[0].split('/').filter(Boolean).pop() : undefined;
    if (!only) throw invalid('missing_parameter', 'regionId', '请选择区域', 'regionId is required');
    regionId = only;
  }
  const parent = await getRegionInScope(ctx.db, regionId, actor.scope, 'regionId');
  const children = await ctx.db.selectFrom('regions').select(['id', 'name', 'level', 'path']).where('parent_id', '=', parent.id).orderBy('code').execute();
  const conds: RawBuilder<unknown>[] = [
    OWN_ONLY_ROLES.has(actor.role) ? eventScopeCondition(actor) : scopeCondition('e.region_path', actor.scope),
    sql`e.region_path LIKE ${likePrefix(parent.path)}`,
    sql`e.region_path <> ${parent.path}`,
  ];
  const from = parseDate(q.from, 'from');
  const to = parseDate(q.to, 'to');
  if (q.categoryCode) conds.push(sql`e.category_code = ${q.categoryCode}`);
  const child = (col: string) => sql`split_part(substr(${sql.ref(col)}, ${parent.path.length + 1}), '/', 1)`;

  const byChild = new Map<string, ChildFigures>();
  const add = (rows: ChildFigures[]) => {
    for (const r of rows) {
      const c = byChild.get(r.child) ?? { child: r.child, total: 0, closed: 0, overdue: 0, grid_collected: 0, self_closed: 0, late_closed: 0, due_closed: 0 };
      for (const k of CHILD_COUNTS) c[k] += Number(r[k] ?? 0);
      byChild.set(r.child, c);
    }
  };
  const liveCounts = async (a?: Date, b?: Date) =>
    add(
      (
        await sql<ChildFigures>`
      SELECT ${child('e.region_path')} AS child, ${LIVE_COUNTS}
        FROM events e WHERE ${sql.join([...conds, ...createdBetween(a, b)], sql` AND `)} GROUP BY 1`.execute(ctx.db)
      ).rows,
    );
  const overdue = sql<ChildFigures>`SELECT ${child('e.region_path')} AS child, count(*)::int AS overdue
        FROM events e WHERE ${sql.join([...conds, ...createdBetween(from, to), sql`e.state IN ${ACTIVE}`, sql`e.deadline < ${now}`], sql` AND `)} GROUP BY 1`.execute(ctx.db);

  const split = splitPeriod(from, to);
  const summed = (async () => {
    if (!opts.live && split.months && parent.level !== 'village' && (await rollupAnswers(ctx.db, actor, parent.level))) {
      const m = split.months;
      const statConds = [
        scopeCondition('s.village_path', actor.scope),
        sql`s.village_path LIKE ${likePrefix(parent.path)}`,
        sql`s.village_path <> ${parent.path}`,
        ...monthsBetween(m),
        ...(q.categoryCode ? [sql`s.category_code = ${q.categoryCode}`] : []),
      ];
      add(
        (
          await sql<ChildFigures>`SELECT ${child('s.village_path')} AS child, sum(s.total)::int AS total, sum(s.closed)::int AS closed,
              sum(s.grid_collected)::int AS grid_collected, sum(s.self_closed)::int AS self_closed,
              sum(s.late_closed)::int AS late_closed, sum(s.due_closed)::int AS due_closed
            FROM ${ROLLUP_ROWS} s
           WHERE ${sql.join(statConds, sql` AND `)} GROUP BY 1`.execute(ctx.db)
        ).rows,
      );
      for (const part of split.live) await liveCounts(part.from, part.to);
    } else {
      await liveCounts(from, to);
    }
  })();
  const [, overdueRows] = await Promise.all([summed, overdue]);
  add(overdueRows.rows);
  return {
    regionId: String(parent.id),
    items: children.map((c) => {
      const r = byChild.get(String(c.id));
      const judged = (r?.due_closed ?? 0) + (r?.overdue ?? 0);
      const late = (r?.late_closed ?? 0) + (r?.overdue ?? 0);
      return {
        regionId: String(c.id),
        name: c.name,
        level: c.level,
        total: r?.total ?? 0,
        closed: r?.closed ?? 0,
        overdue: r?.overdue ?? 0,
        selfClosureRate: r?.grid_collected ? r.self_closed / r.grid_collected : null,
        onTimeRate: judged ? (judged - late) / judged : null,
      };
    }),
  };
}

const CHILD_COUNTS = ['total', 'closed', 'overdue', 'grid_collected', 'self_closed', 'late_closed', 'due_closed'] as const;
type ChildFigures = { child: string } & Record<(typeof CHILD_COUNTS)[number], number>;

/**
 * The dashboard's extra figures in the same answer (one request instead of one per child region
 * and per week): per child region totals and overdue, the last 12 weeks (created and closed,
 * China time, weeks from Monday), and the open hotspots grouped by business or category.
 */
export async function dashboardExtras(ctx: AppContext, actor: Actor, q: MetricsQuery) {
  const now = ctx.now();
  const conds: RawBuilder<unknown>[] = [OWN_ONLY_ROLES.has(actor.role) ? eventScopeCondition(actor) : scopeCondition('e.region_path', actor.scope)];
  if (q.regionId) {
    const r = await getRegionInScope(ctx.db, q.regionId, actor.scope, 'regionId');
    conds.push(sql`e.region_path LIKE ${likePrefix(r.path)}`);
  }
  if (q.categoryCode) conds.push(sql`e.category_code = ${q.categoryCode}`);
  const where = sql.join(conds, sql` AND `);
  // the three parts are independent: each on its own connection, at once
  const byRegionPart = eventMetricsByRegion(ctx, actor, q).then(
    (m) => m.items.filter((r) => r.level !== 'unit').map((r) => ({ regionId: r.regionId, name: r.name, level: r.level, total: r.total, overdue: r.overdue })),
    (e) => {
      // no single region to break down (a multi-root jurisdiction without regionId): no rows
      if (!(e instanceof Error) || !/regionId/.test((e as any).field ?? '')) throw e;
      return [];
    },
  );
  // twelve weeks from Monday 00:00 China time, the last one this week: each event's week by
  // arithmetic on its time (to_char of a week start per row made this the slowest part: a county
  // of 121,000 events, 32,000 of them in the twelve weeks: ~100 → ~55 ms)
  const weeks12 = chinaWeeks(now, 12);
  const first = weeks12.first.getTime();
  const weeksPart = sql<{ w: number; created: number; closed: number }>`
      SELECT floor((date_part('epoch', e.created_at) - ${first / 1000}::float8) / ${WEEK_MS / 1000}::float8)::int AS w,
             count(*) FILTER (WHERE e.state <> 'merged')::int AS created,
             count(*) FILTER (WHERE e.state = 'closed')::int AS closed
        FROM events e WHERE ${where} AND e.created_at >= ${new Date(first)}
       GROUP BY 1`.execute(ctx.db);
  // the ten largest groups first (an index-only scan of the flagged open events,
  // events_hot_path_idx), then the names of those ten
  const hotPart = sql<{ business_id: string | null; business_name: string | null; category_code: string | null; n: number }>`
      SELECT h.business_id, b.name AS business_name, h.category_code, h.n
        FROM (SELECT e.business_id, e.category_code, count(*)::int AS n
                FROM events e
               WHERE ${where} AND e.hotspot AND e.state IN ${ACTIVE}
               GROUP BY 1, 2 ORDER BY n DESC, e.business_id, e.category_code LIMIT 10) h
        LEFT JOIN businesses b ON b.id = h.business_id
       ORDER BY h.n DESC, h.business_id, h.category_code`.execute(ctx.db);
  const [byRegion, weeks, hot] = await Promise.all([byRegionPart, weeksPart.then((r) => r.rows), hotPart.then((r) => r.rows)]);
  const byWeek = new Map(weeks.map((w) => [w.w, w]));
  const weekly = weeks12.days.map((week, i) => ({ week, created: byWeek.get(i)?.created ?? 0, closed: byWeek.get(i)?.closed ?? 0 }));
  return {
    byRegion,
    weekly,
    hotspots: hot.map((h) => ({ businessId: h.business_id, name: h.business_name ?? h.category_code ?? '—', categoryCode: h.category_code, count: h.n })),
  };
}
