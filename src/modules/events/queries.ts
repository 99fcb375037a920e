import { sql, type RawBuilder } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { invalid } from '../../domain/errors.js';
import { writeAudit } from '../audit/store.js';
import { getRegionInScope, likePrefix, scopeCondition } from '../regions/store.js';
import { OWN_ONLY_ROLES, eventJsonWithHistory, eventScopeCondition, eventsJson, getEventInScope, holderCondition, type EventJson, type EventRow } from './store.js';

export interface ListQuery {
  state?: string;
  tier?: string;
  regionId?: string;
  channel?: string;
  overdue?: boolean;
  mine?: boolean;
  categoryCode?: string;
  businessId?: string;
  hotspot?: boolean;
  q?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export const ACTIVE = sql`('open','in_progress','rectifying')`;

function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(c: string): any[] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v)) return v;
  } catch {
    /* fall through */
  }
  throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'cursor is invalid');
}

export function parseDate(v: string | undefined, field: string): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw invalid('invalid_parameter', field, `${field} 应为日期`, `${field} must be a date`);
  return d;
}

export async function getEvent(ctx: AppContext, actor: Actor, id: string, meta: { ip?: string } = {}): Promise<EventJson> {
  const row = await getEventInScope(ctx.db, actor, id);
  const json = await eventJsonWithHistory(ctx.db, row, actor, ctx.now());
  if (row.reporter_phone && json.reporterPhone === row.reporter_phone) {
    // I5/I6: the holder saw a public reporter's phone number in full.
    await writeAudit(ctx.db, { actorId: actor.id, actorName: actor.username, action: 'event.read_reporter_phone', entity: 'event', entityId: id, ip: meta.ip ?? null });
  }
  return json;
}

/** GET /api/v1/events: jurisdiction-scoped (I4), newest first, keyset-paged. */
export async function listEvents(ctx: AppContext, actor: Actor, q: ListQuery): Promise<{ items: EventJson[]; nextCursor: string | null }> {
  const now = ctx.now();
  const conds: RawBuilder<unknown>[] = [eventScopeCondition(actor)];
  if (q.state) conds.push(sql`e.state = ${q.state}`);
  if (q.tier) conds.push(sql`e.tier = ${q.tier}`);
  if (q.channel) conds.push(sql`e.channel = ${q.channel}`);
  if (q.categoryCode) conds.push(sql`e.category_code = ${q.categoryCode}`);
  if (q.businessId) conds.push(sql`e.business_id::text = ${q.businessId}`);
  if (q.hotspot !== undefined) conds.push(sql`e.hotspot = ${q.hotspot}`);
  if (q.q?.trim()) {
    const like = `%${q.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    conds.push(sql`(e.title ILIKE ${like} OR e.description ILIKE ${like})`);
  }
  if (q.regionId) {
    const r = await getRegionInScope(ctx.db, q.regionId, actor.scope, 'regionId');
    conds.push(sql`e.region_path LIKE ${likePrefix(r.path)}`);
  }
  const from = parseDate(q.from, 'from');
  const to = parseDate(q.to, 'to');
  if (from) conds.push(sql`e.created_at >= ${from}`);
  if (to) conds.push(sql`e.created_at < ${to}`);
  if (q.overdue === true) conds.push(sql`(e.state IN ${ACTIVE} AND e.deadline < ${now})`);
  if (q.overdue === false) conds.push(sql`NOT (e.state IN ${ACTIVE} AND e.deadline IS NOT NULL AND e.deadline < ${now})`);
  if (q.mine) conds.push(sql`(e.collector_id = ${actor.id} OR ${holderCondition(actor)})`);
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor);
    const d = new Date(at);
    if (Number.isNaN(d.getTime()) || typeof id !== 'string') throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'cursor is invalid');
    conds.push(sql`(e.created_at, e.id) < (${d}, ${id}::uuid)`);
  }
  const rows = (
    await sql<EventRow>`SELECT e.* FROM events e WHERE ${sql.join(conds, sql` AND `)}
      ORDER BY e.created_at DESC, e.id DESC LIMIT ${q.limit + 1}`.execute(ctx.db)
  ).rows;
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: await eventsJson(ctx.db, page, actor, now),
    nextCursor: rows.length > q.limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null,
  };
}

/**
 * GET /api/v1/events/queue: what I hold (as myself, my organisation, or my role at my region)
 * and still have to act on — overdue first, then by deadline.
 */
export async function workQueue(ctx: AppContext, actor: Actor, q: { limit: number; cursor?: string }): Promise<{ items: EventJson[]; nextCursor: string | null }> {
  const now = ctx.now();
  const offset = q.cursor ? Number(decodeCursor(q.cursor)[0]) : 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'cursor is invalid');
  const rows = (
    await sql<EventRow>`SELECT e.* FROM events e
      WHERE ${holderCondition(actor)}
        AND e.state NOT IN ('closed','merged')
        AND (e.state IN ('open','in_progress','rectifying','resolved') OR (e.state = 'rejected' AND e.feedback IS NULL))
      ORDER BY (e.state IN ${ACTIVE} AND e.deadline < ${now}) DESC, e.deadline ASC NULLS LAST, e.created_at, e.id
      LIMIT ${q.limit + 1} OFFSET ${offset}`.execute(ctx.db)
  ).rows;
  const page = rows.slice(0, q.limit);
  return {
    items: await eventsJson(ctx.db, page, actor, now),
    nextCursor: rows.length > q.limit ? encodeCursor([offset + q.limit]) : null,
  };
}

// ------------------------------------------------------------------ metrics (E14)

export interface MetricsQuery {
  regionId?: string;
  from?: string;
  to?: string;
  categoryCode?: string;
}

/**
 * GET /api/v1/metrics/events/by-region: the E14 figures for each child of a region (county →
 * townships, township → villages …), children without events included, for league tables.
 */
export async function eventMetricsByRegion(ctx: AppContext, actor: Actor, q: MetricsQuery) {
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
  if (from) conds.push(sql`e.created_at >= ${from}`);
  if (to) conds.push(sql`e.created_at < ${to}`);
  if (q.categoryCode) conds.push(sql`e.category_code = ${q.categoryCode}`);
  const rows = (
    await sql<{ child: string; total: number; closed: number; overdue: number; grid_collected: number; self_closed: number; late_closed: number; due_closed: number }>`
      SELECT split_part(substr(e.region_path, ${parent.path.length + 1}), '/', 1) AS child,
             count(*) FILTER (WHERE e.state <> 'merged')::int AS total,
             count(*) FILTER (WHERE e.state = 'closed')::int AS closed,
             count(*) FILTER (WHERE e.state IN ${ACTIVE} AND e.deadline < ${now})::int AS overdue,
             count(*) FILTER (WHERE e.channel = 'grid_patrol' AND e.state <> 'merged')::int AS grid_collected,
             count(*) FILTER (WHERE e.channel = 'grid_patrol' AND e.state = 'closed' AND e.tier IN ('grid','grid_leader'))::int AS self_closed,
             count(*) FILTER (WHERE e.state = 'closed' AND e.deadline IS NOT NULL AND COALESCE(e.resolved_at, e.closed_at) > e.deadline)::int AS late_closed,
             count(*) FILTER (WHERE e.state = 'closed' AND e.deadline IS NOT NULL)::int AS due_closed
        FROM events e WHERE ${sql.join(conds, sql` AND `)} GROUP BY 1`.execute(ctx.db)
  ).rows;
  const byChild = new Map(rows.map((r) => [r.child, r]));
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

/**
 * The dashboard's extra figures in the same answer (one request instead of one per child region
 * and per week): per child region totals and overdue, the last 12 weeks (created and closed,
 * China time, weeks from Monday), and the open hotspots grouped by business or category.
 */
export async function dashboardExtras(ctx: AppContext, actor: Actor, q: MetricsQuery) {
  const now = ctx.now();
  let byRegion: Array<{ regionId: string; name: string; level: string; total: number; overdue: number }> = [];
  try {
    byRegion = (await eventMetricsByRegion(ctx, actor, q)).items.filter((r) => r.level !== 'unit').map((r) => ({ regionId: r.regionId, name: r.name, level: r.level, total: r.total, overdue: r.overdue }));
  } catch (e) {
    // no single region to break down (a multi-root jurisdiction without regionId): no rows
    if (!(e instanceof Error) || !/regionId/.test((e as any).field ?? '')) throw e;
  }
  const conds: RawBuilder<unknown>[] = [OWN_ONLY_ROLES.has(actor.role) ? eventScopeCondition(actor) : scopeCondition('e.region_path', actor.scope)];
  if (q.regionId) {
    const r = await getRegionInScope(ctx.db, q.regionId, actor.scope, 'regionId');
    conds.push(sql`e.region_path LIKE ${likePrefix(r.path)}`);
  }
  if (q.categoryCode) conds.push(sql`e.category_code = ${q.categoryCode}`);
  const where = sql.join(conds, sql` AND `);
  const since = new Date(now.getTime() - 12 * 7 * 86400_000 - 7 * 86400_000);
  const weeks = (
    await sql<{ week: string; created: number; closed: number }>`
      SELECT to_char(date_trunc('week', e.created_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS week,
             count(*) FILTER (WHERE e.state <> 'merged')::int AS created,
             count(*) FILTER (WHERE e.state = 'closed')::int AS closed
        FROM events e WHERE ${where} AND e.created_at >= ${since}
       GROUP BY 1 ORDER BY 1`.execute(ctx.db)
  ).rows;
  const byWeek = new Map(weeks.map((w) => [w.week, w]));
  // twelve Mondays ending with this week's, China time
  const cn = new Date(now.getTime() + 8 * 3600_000);
  const monday = new Date(Date.UTC(cn.getUTCFullYear(), cn.getUTCMonth(), cn.getUTCDate() - ((cn.getUTCDay() + 6) % 7)));
  const weekly = Array.from({ length: 12 }, (_, i) => {
    const d = new Date(monday.getTime() - (11 - i) * 7 * 86400_000).toISOString().slice(0, 10);
    const w = byWeek.get(d);
    return { week: d, created: w?.created ?? 0, closed: w?.closed ?? 0 };
  });
  const hot = (
    await sql<{ business_id: string | null; business_name: string | null; category_code: string | null; n: number }>`
      SELECT e.business_id, b.name AS business_name, e.category_code, count(*)::int AS n
        FROM events e LEFT JOIN businesses b ON b.id = e.business_id
       WHERE ${where} AND e.hotspot AND e.state IN ${ACTIVE}
       GROUP BY 1, 2, 3 ORDER BY n DESC LIMIT 10`.execute(ctx.db)
  ).rows;
  return {
    byRegion,
    weekly,
    hotspots: hot.map((h) => ({ businessId: h.business_id, name: h.business_name ?? h.category_code ?? '—', categoryCode: h.category_code, count: h.n })),
  };
}
