import { sql, type RawBuilder } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { invalid } from '../../domain/errors.js';
import { writeAudit } from '../audit/store.js';
import { getRegionInScope, likePrefix } from '../regions/store.js';
import { eventJsonWithHistory, eventScopeCondition, eventsJson, getEventInScope, holderCondition, type EventJson, type EventRow } from './store.js';

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
