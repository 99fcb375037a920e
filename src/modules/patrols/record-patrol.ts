import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import { runIdempotent } from '../idempotency/run.js';
import type { AppContext, Tx } from '../../context.js';
import { inScope, type Actor } from '../../domain/access.js';
import { conflict, forbidden, invalid, notFound } from '../../domain/errors.js';
import { ASPECT_LABELS, patrolRules, resolveChecklist, PATROL_ROLES, type Aspect, type PatrolType } from '../../domain/patrols.js';
import { writeAudit } from '../audit/store.js';
import { createEvent } from '../events/create-event.js';
import { findItems } from '../catalogue/store.js';
import { loadPatrol, stripRow, type PatrolJson } from './store.js';

export interface PatrolInput {
  businessId: string;
  type?: PatrolType;
  items: Array<{ aspect?: string | null; itemCode?: string | null; passed: boolean; note?: string | null }>;
  note?: string | null;
  patrolledAt?: string | null;
  location?: { lat: number; lng: number } | null;
  clientId?: string | null;
  /** Raise one event from the failed lines, in the same transaction (P1). */
  raiseEvent?: boolean;
  event?: RaiseInput;
}

export interface RaiseInput {
  /** Checklist lines to report (default: every failed line not yet reported). */
  seqs?: number[];
  title?: string;
  description?: string;
  categoryCode?: string;
}

export interface Meta {
  ip?: string | null;
  idempotencyKey?: string | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Offline records may arrive late, but not from further back than this. */
const MAX_BACKDATE_DAYS = 62;

/** The grid containing a region path (the ancestor at level `grid`), if the tree has one there. */
async function gridOf(trx: Tx, path: string): Promise<number | null> {
  const ids = path.split('/').filter(Boolean).map(Number);
  if (!ids.length) return null;
  const g = await trx.selectFrom('regions').select('id').where('id', 'in', ids).where('level', '=', 'grid').orderBy('depth', 'desc').executeTakeFirst();
  return g?.id ?? null;
}

/**
 * P1/P3: records a patrol of a business in the caller's jurisdiction, in the caller's
 * transaction (patrol, checklist lines, audit, and the event when asked). E15: the same
 * `clientId` from the same patroller returns the first record.
 */
export async function recordPatrol(ctx: AppContext, trx: Tx, actor: Actor, input: PatrolInput, meta: Meta = {}): Promise<PatrolJson> {
  const type: PatrolType = input.type ?? 'routine';
  const { channel } = patrolRules(actor.role, type);
  const now = ctx.now();

  if (input.clientId) {
    const existing = await trx.selectFrom('patrols').select('id').where('patroller_id', '=', actor.id).where('client_id', '=', input.clientId).executeTakeFirst();
    if (existing) return stripRow(await loadPatrol(trx, existing.id, actor));
  }

  if (!UUID_RE.test(input.businessId)) throw notFound('business', '食品经营主体', 'businessId');
  const business = await trx.selectFrom('businesses').select(['id', 'name', 'region_id', 'region_path', 'status']).where('id', '=', input.businessId).executeTakeFirst();
  if (!business || !inScope(actor.scope, business.region_path)) throw notFound('business', '食品经营主体', 'businessId');

  let patrolledAt = now;
  if (input.patrolledAt) {
    patrolledAt = new Date(input.patrolledAt);
    if (Number.isNaN(patrolledAt.getTime())) throw invalid('invalid_parameter', 'patrolledAt', '巡查时间格式错误', 'patrolledAt must be an ISO-8601 time');
    if (patrolledAt.getTime() > now.getTime() + 10 * 60_000) throw invalid('invalid_parameter', 'patrolledAt', '巡查时间不能晚于当前时间', 'patrolledAt is in the future');
    if (patrolledAt.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86400_000) {
      throw invalid('invalid_parameter', 'patrolledAt', `只能补录${MAX_BACKDATE_DAYS}天内的巡查`, `patrolledAt is more than ${MAX_BACKDATE_DAYS} days ago`);
    }
  }

  const codes = input.items.map((i) => i.itemCode?.trim()).filter((c): c is string => !!c);
  const known = await findItems(trx, codes);
  const lines = resolveChecklist(input.items, (c) => known.get(c)?.aspect);
  const failed = lines.filter((l) => !l.passed).length;

  const id = newId();
  await trx
    .insertInto('patrols')
    .values({
      id,
      business_id: business.id,
      region_id: business.region_id,
      region_path: business.region_path,
      grid_id: await gridOf(trx, business.region_path),
      type,
      channel,
      patroller_id: actor.id,
      patroller_role: actor.role,
      organization_id: actor.organizationId,
      patrolled_at: patrolledAt,
      client_id: input.clientId ?? null,
      passed: failed === 0,
      failed_count: failed,
      note: input.note?.trim() || null,
      lat: input.location?.lat ?? null,
      lng: input.location?.lng ?? null,
      created_at: now,
    })
    .execute();
  await trx
    .insertInto('patrol_items')
    .values(lines.map((l, i) => ({ patrol_id: id, seq: i + 1, aspect: l.aspect, item_code: l.itemCode, passed: l.passed, note: l.note })))
    .execute();
  await writeAudit(trx, {
    action: 'patrol_recorded',
    actorId: actor.id,
    actorName: actor.username,
    entity: 'patrol',
    entityId: id,
    ip: meta.ip,
    detail: { businessId: business.id, type, failed, clientId: input.clientId ?? null },
  });

  if (input.raiseEvent) {
    if (!failed) throw invalid('nothing_failed', 'raiseEvent', '没有不合格项，无需上报事件', 'no failed line to report');
    await raiseFromPatrol(ctx, trx, actor, id, input.event ?? {}, meta);
  }
  return stripRow(await loadPatrol(trx, id, actor));
}

/**
 * P1: one event prefilled from failed checklist lines (title from the business and the failed
 * aspects, description from the lines, category from the first catalogue item), created through
 * the event engine in the caller's transaction, and linked from each line.
 */
export async function raiseFromPatrol(ctx: AppContext, trx: Tx, actor: Actor, patrolId: string, input: RaiseInput, meta: Meta = {}) {
  const patrol = await loadPatrol(trx, patrolId, actor, { forUpdate: true });
  if (patrol.patrollerId !== actor.id && !(PATROL_ROLES as readonly string[]).includes(actor.role)) {
    throw forbidden('只有巡查人员可以从巡查记录上报事件', 'only patrol staff may raise events from a patrol');
  }
  const failed = patrol.items.filter((i) => !i.passed);
  let chosen = failed.filter((i) => !i.eventId);
  if (input.seqs?.length) {
    const bad = input.seqs.find((s) => !failed.some((f) => f.seq === s));
    if (bad !== undefined) throw invalid('not_a_failed_line', 'seqs', `第${bad}项不是不合格项`, `line ${bad} is not a failed line of this patrol`);
    chosen = failed.filter((i) => input.seqs!.includes(i.seq));
    const done = chosen.find((i) => i.eventId);
    if (done) throw conflict('already_raised', '该不合格项已上报事件', 'this line already raised an event', 'seqs', { eventId: done.eventId });
  }
  if (!chosen.length) {
    if (failed.length) throw conflict('already_raised', '不合格项均已上报事件', 'every failed line already raised an event', undefined, { eventIds: patrol.eventIds });
    throw invalid('nothing_failed', 'seqs', '没有不合格项，无需上报事件', 'no failed line to report');
  }
  const aspects = [...new Set(chosen.map((c) => c.aspect))] as Aspect[];
  const title =
    input.title?.trim() || `${patrol.businessName ?? '经营主体'}：巡查发现${aspects.map((a) => ASPECT_LABELS[a].zh).join('、')}方面问题`;
  const description =
    input.description?.trim() ||
    [
      `${new Date(patrol.patrolledAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })} 巡查发现以下不合格项：`,
      ...chosen.map((c) => `【${ASPECT_LABELS[c.aspect as Aspect]?.zh ?? c.aspect}】${c.itemName ?? ''}${c.itemCode ? `（${c.itemCode}）` : ''}${c.note ? `${c.itemName ? '：' : ''}${c.note}` : ''}`),
    ].join('\n');
  const categoryCode = input.categoryCode?.trim() || chosen.find((c) => c.itemCode)?.itemCode || null;
  const event = await createEvent(
    ctx,
    trx,
    actor,
    {
      channel: patrol.channel as 'grid_patrol' | 'department_patrol',
      title: title.slice(0, 200),
      description,
      categoryCode,
      businessId: patrol.businessId,
      location: patrol.location,
      // The same lines raised twice (a retried request) are the same event (E15).
      clientId: `patrol:${patrol.id}:${chosen.map((c) => c.seq).join(',')}`,
    },
    { ip: meta.ip ?? null },
  );
  await sql`UPDATE patrol_items SET event_id = ${event.id} WHERE patrol_id = ${patrol.id} AND seq = ANY(${chosen.map((c) => c.seq)}::int[])`.execute(trx);
  await writeAudit(trx, {
    action: 'patrol_event_raised',
    actorId: actor.id,
    actorName: actor.username,
    entity: 'patrol',
    entityId: patrol.id,
    ip: meta.ip,
    detail: { eventId: event.id, seqs: chosen.map((c) => c.seq) },
  });
  return event;
}

/**
 * POST /api/v1/patrols: one transaction. `Idempotency-Key` (or `clientId`) → the first answer
 * again, never a second record (E15: the field app retries until it hears back).
 */
export async function recordPatrolCommand(ctx: AppContext, actor: Actor, input: PatrolInput, meta: Meta): Promise<{ status: number; body: PatrolJson }> {
  return runIdempotent(ctx, {
    scope: `patrols.create:${actor.id}`,
    key: meta.idempotencyKey,
    request: input,
    status: 201,
    run: (trx) => recordPatrol(ctx, trx, actor, input, meta),
    findExisting: async () => {
      if (!input.clientId) return undefined;
      const row = await ctx.db.selectFrom('patrols').select('id').where('patroller_id', '=', actor.id).where('client_id', '=', input.clientId).executeTakeFirst();
      return row ? stripRow(await loadPatrol(ctx.db, row.id, actor)) : undefined;
    },
  });
}

export async function raiseEventCommand(ctx: AppContext, actor: Actor, patrolId: string, input: RaiseInput, meta: Meta) {
  return ctx.db.transaction().execute(async (trx) => {
    const event = await raiseFromPatrol(ctx, trx, actor, patrolId, input, meta);
    const patrol = stripRow(await loadPatrol(trx, patrolId, actor));
    return { patrol, event };
  });
}
