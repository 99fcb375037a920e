import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { conflict, forbidden, invalid, notFound } from '../../domain/errors.js';
import type { EventState, Tier } from '../../domain/events/index.js';
import { writeAudit } from '../audit/store.js';
import { notifyHolder } from './create-event.js';
import { appendHistory, eventJsonWithHistory, getEventInScope, holderOf, type EventJson } from './store.js';

export interface AssistJson {
  id: string;
  eventId: string;
  regionId: string;
  regionName: string | null;
  note: string;
  requestedBy: string | null;
  status: string;
  createdAt: string;
  doneAt: string | null;
}

/** E5: the assist tasks on an event (the lower levels asked to help; the holder is unchanged). */
export async function listAssists(ctx: AppContext, actor: Actor, eventId: string): Promise<{ items: AssistJson[] }> {
  await getEventInScope(ctx.db, actor, eventId);
  const rows = await ctx.db
    .selectFrom('event_assists as a')
    .leftJoin('regions as r', 'r.id', 'a.region_id')
    .select(['a.id', 'a.event_id', 'a.region_id', 'r.name as region_name', 'a.note', 'a.requested_by', 'a.status', 'a.created_at', 'a.done_at'])
    .where('a.event_id', '=', eventId)
    .orderBy('a.created_at')
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      regionId: String(r.region_id),
      regionName: r.region_name ?? null,
      note: r.note,
      requestedBy: r.requested_by,
      status: r.status,
      createdAt: new Date(r.created_at).toISOString(),
      doneAt: r.done_at ? new Date(r.done_at).toISOString() : null,
    })),
  };
}

/**
 * The assisting level reports its part done: someone whose home region lies in the assist's
 * region (the village coordinator, a grid worker, the station staff of that township). The
 * history records it and the holder is told; the holder still decides the event.
 */
export async function completeAssist(ctx: AppContext, actor: Actor, eventId: string, assistId: string, note: string): Promise<EventJson> {
  const text = note?.trim();
  if (!text) throw invalid('missing_parameter', 'note', '请填写协助情况', 'note is required');
  return ctx.db.transaction().execute(async (trx) => {
    await getEventInScope(trx, actor, eventId, { forUpdate: true });
    const a = /^[0-9a-f-]{36}$/i.test(assistId)
      ? await trx.selectFrom('event_assists').selectAll().where('id', '=', assistId).where('event_id', '=', eventId).executeTakeFirst()
      : undefined;
    if (!a) throw notFound('assist', '协助任务');
    if (a.status !== 'open') throw conflict('assist_done', '该协助任务已完成', 'this assist task is already done');
    const region = await trx.selectFrom('regions').select('path').where('id', '=', a.region_id).executeTakeFirstOrThrow();
    const home = actor.regionId != null ? await trx.selectFrom('regions').select('path').where('id', '=', actor.regionId).executeTakeFirst() : undefined;
    if (!home || !home.path.startsWith(region.path)) {
      throw forbidden('只有被请求协助的单位可以反馈协助情况', 'only the level asked to assist may report it done', 'not_assistant');
    }
    const now = ctx.now();
    await trx.updateTable('event_assists').set({ status: 'done', done_at: now }).where('id', '=', assistId).execute();
    const saved = (
      await sql<any>`UPDATE events SET version = version + 1, updated_at = ${now} WHERE id = ${eventId} RETURNING *`.execute(trx)
    ).rows[0];
    const h = holderOf(saved);
    await appendHistory(
      trx,
      eventId,
      {
        type: 'assist_done',
        actorId: actor.id,
        actorRole: actor.role,
        fromState: saved.state as EventState,
        toState: saved.state as EventState,
        fromTier: saved.tier as Tier,
        toTier: saved.tier as Tier,
        fromHolder: h,
        toHolder: h,
        note: text,
        detail: { assistId, regionId: String(a.region_id) },
        publicNote: null,
      },
      now,
    );
    await notifyHolder(trx, h, eventId, `协助已完成：${saved.title}`, actor.id);
    await writeAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'event.assist_done', entity: 'event', entityId: eventId, detail: { assistId } });
    return eventJsonWithHistory(trx, saved, actor, now);
  });
}
