import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import { findReply, requestHash, saveReply } from '../idempotency/store.js';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { notFound } from '../../domain/errors.js';
import {
  ACTIVE_STATES,
  apply,
  resolveHolder,
  sameHolder,
  TIER_LABELS,
  type Action,
  type ActingActor,
  type ApplyResult,
  type Holder,
  type World,
} from '../../domain/events/index.js';
import { writeAudit } from '../audit/store.js';
import { enqueueOutbox, notify } from '../notifications/store.js';
import { notifyHolder } from './create-event.js';
import {
  actingActor,
  appendHistory,
  endDwell,
  findEventInScope,
  holderUserIds,
  loadEventSettings,
  eventJsonWithHistory,
  loadRoutingWorld,
  lockEvent,
  saveSnapshot,
  startDwell,
  toSnapshot,
  type EventJson,
  type EventRow,
} from './store.js';

export interface ActMeta {
  ip?: string | null;
  idempotencyKey?: string | null;
}

const ACTION_ZH: Record<string, string> = {
  accept: '受理',
  escalate: '上报上级',
  skip_escalate: '提级',
  transfer: '转办',
  return: '退回',
  refer_enforcement: '移交执法',
  record_case: '立案处理',
  order_rectification: '责令整改',
  submit_rectification: '整改反馈',
  verify_rectification: '整改复查',
  request_assist: '请求协助',
  resolve: '办理完毕',
  feedback: '反馈',
  close: '办结',
  reject: '不予受理',
  merge: '合并',
  reopen: '重新办理',
  comment: '备注',
};

/**
 * Loads what `apply` needs, applies it, and writes everything it implies in `trx`: the row
 * (locked by the caller), the history line, tier dwell, assist rows, business status, audit,
 * notifications and outbox.
 */
async function applyAndPersist(
  ctx: AppContext,
  trx: Tx,
  row: EventRow,
  action: Action,
  acting: ActingActor,
  actor: Actor | null,
  meta: ActMeta,
): Promise<{ row: EventRow; result: ApplyResult }> {
  const now = ctx.now();
  const settings = await loadEventSettings(trx);
  const routing = await loadRoutingWorld(trx, row.region_path);
  const world: World = { ...routing, now, deadlines: settings.deadlines };
  if (action.type === 'merge' && typeof action.intoEventId === 'string' && actor) {
    const target = await findEventInScope(trx, actor, action.intoEventId, { forUpdate: true });
    if (!target) throw notFound('event', '事件', 'intoEventId');
    world.mergeTarget = { id: target.id, state: target.state as any };
  }
  if (action.type === 'resolve' && row.category_code) world.selfHandleTiers = await selfHandleTiers(trx, row.category_code);
  const before = toSnapshot(row);
  const result = apply(before, action, acting, world);
  const next = result.event;
  const saved = await saveSnapshot(trx, next, now, { deadlineChanged: next.deadline?.getTime() !== before.deadline?.getTime() });
  await appendHistory(trx, row.id, result.history, now);
  const actorId = acting.kind === 'user' ? acting.id : null;

  for (const eff of result.effects) {
    switch (eff.kind) {
      case 'dwell':
        if (eff.end) await endDwell(trx, row.id, now);
        if (eff.start) await startDwell(trx, row.id, next.tier, next.holder.regionId, now);
        break;
      case 'notify_holder':
        await notifyHolder(trx, next.holder, row.id, `${ACTION_ZH[action.type] ?? '待办'}：${row.title}`, actorId);
        break;
      case 'notify_source': {
        const notices = [];
        if (row.collector_id && row.collector_id !== actorId) {
          notices.push({ userId: row.collector_id, kind: 'event_feedback', title: `处理结果反馈：${row.title}`, body: eff.text, eventId: row.id });
        }
        if (row.tracking_code) {
          notices.push({ recipientKey: `tracking:${row.tracking_code}`, kind: 'event_feedback', title: '您的举报已有处理结果', body: eff.text, eventId: row.id });
        }
        // E12/E9: the sources of reports merged into this one get the same feedback.
        const dups = await trx.selectFrom('events').select(['id', 'collector_id', 'tracking_code']).where('merged_into', '=', row.id).execute();
        for (const d of dups) {
          if (d.collector_id && d.collector_id !== actorId) {
            notices.push({ userId: d.collector_id, kind: 'event_feedback', title: `处理结果反馈：${row.title}`, body: eff.text, eventId: d.id });
          }
          if (d.tracking_code) {
            notices.push({ recipientKey: `tracking:${d.tracking_code}`, kind: 'event_feedback', title: '您的举报已有处理结果', body: eff.text, eventId: d.id });
          }
        }
        await notify(trx, notices);
        break;
      }
      case 'create_assist': {
        await trx
          .insertInto('event_assists')
          .values({ id: newId(), event_id: row.id, region_id: eff.regionId, note: eff.note, requested_by: actorId, created_at: now })
          .execute();
        const helpers = await trx
          .selectFrom('users')
          .select('id')
          .where('region_id', '=', eff.regionId)
          .where('disabled', '=', false)
          .where('role', 'in', ['grid_leader', 'grid_member', 'unit_leader', 'village_coordinator', 'station_staff'])
          .limit(50)
          .execute();
        await notify(
          trx,
          helpers.map((h) => ({ userId: h.id, kind: 'event_assist', title: `请协助：${row.title}`, body: eff.note, eventId: row.id })),
        );
        break;
      }
      case 'business_status':
        await businessPenalty(trx, row, eff.status, routing, now);
        break;
    }
  }

  // E12: the event merged into gets a line saying so.
  if (action.type === 'merge' && next.mergedInto) {
    const t = (await sql<EventRow>`UPDATE events SET version = version + 1, updated_at = ${now} WHERE id = ${next.mergedInto} RETURNING *`.execute(trx)).rows[0];
    const h: Holder = { tier: t.tier as any, regionId: t.holder_region_id, organizationId: t.holder_org_id, userId: t.holder_user_id };
    await appendHistory(
      trx,
      t.id,
      {
        type: 'duplicate_linked',
        actorId,
        actorRole: acting.kind === 'user' ? acting.role : 'system',
        fromState: t.state as any,
        toState: t.state as any,
        fromTier: t.tier as any,
        toTier: t.tier as any,
        fromHolder: h,
        toHolder: h,
        note: `事件“${row.title}”已合并到本事件`,
        detail: { duplicateId: row.id },
        publicNote: null,
      },
      now,
    );
  }

  await writeAudit(trx, {
    actorId,
    actorName: actor?.username ?? (acting.kind === 'system' ? 'system' : null),
    action: `event.${action.type}`,
    entity: 'event',
    entityId: row.id,
    ip: meta.ip ?? null,
    detail: {
      fromState: before.state,
      toState: next.state,
      fromTier: before.tier,
      toTier: next.tier,
      ...(sameHolder(before.holder, next.holder) ? {} : { toHolder: next.holder }),
    },
  });
  if (action.type === 'close' || action.type === 'record_case' || action.type === 'reject') {
    await enqueueOutbox(trx, `event.${action.type === 'record_case' ? 'case_recorded' : action.type === 'close' ? 'closed' : 'rejected'}`, {
      id: row.id,
      channel: row.channel,
      businessId: row.business_id,
      regionId: String(row.region_id),
      categoryCode: row.category_code,
      state: next.state,
      result: next.result,
      feedback: next.feedback,
      caseNo: next.caseNo,
      penalty: next.penalty,
      at: now.toISOString(),
    });
  }
  return { row: saved, result };
}

/**
 * E7: suspension or licence revocation changes the business's status and tells its responsible
 * officials — cadres whose region contains the business (until a 包保 assignment table exists)
 * — and the station covering it.
 */
async function businessPenalty(trx: Tx, row: EventRow, status: 'suspended' | 'revoked', routing: Awaited<ReturnType<typeof loadRoutingWorld>>, now: Date) {
  if (!row.business_id) return;
  const b = await trx
    .updateTable('businesses')
    .set({ status, updated_at: now })
    .where('id', '=', row.business_id)
    .returning(['id', 'name', 'region_path'])
    .executeTakeFirst();
  if (!b) return;
  const ancestorIds = routing.ancestors.map((a) => a.id);
  const cadres = ancestorIds.length
    ? await trx.selectFrom('users').select('id').where('role', '=', 'cadre').where('disabled', '=', false).where('region_id', 'in', ancestorIds).limit(100).execute()
    : [];
  let stationUsers: string[] = [];
  try {
    stationUsers = await holderUserIds(trx, resolveHolder('station', routing));
  } catch {
    /* no station covers it: the cadres are still told */
  }
  const label = status === 'suspended' ? '责令停产停业' : '吊销许可证';
  const recipients = [...new Set([...cadres.map((c) => c.id), ...stationUsers])];
  await notify(
    trx,
    recipients.map((userId) => ({
      userId,
      kind: 'business_penalty',
      title: `${b.name}：${label}`,
      body: `执法处理结果：${label}（事件：${row.title}）`,
      eventId: row.id,
      link: `/businesses/${b.id}`,
    })),
  );
  await enqueueOutbox(trx, 'business.status_changed', { businessId: b.id, status, eventId: row.id, at: now.toISOString() });
}

/** E11: the item's self-handle tiers (null when the code is a category or unknown). */
async function selfHandleTiers(trx: Tx, code: string): Promise<string[] | null> {
  const r = (await sql<{ tiers: string[] | null }>`SELECT self_handle_tiers AS tiers FROM catalogue_items WHERE code = ${code}`.execute(trx)).rows[0];
  return r?.tiers ?? null;
}

/**
 * POST /api/v1/events/:id/actions. The row is locked (`FOR UPDATE`) so two concurrent actions
 * never both apply: the second sees the first's result (409 stale version / forbidden transition).
 */
export async function actOnEvent(ctx: AppContext, actor: Actor, id: string, body: Action, meta: ActMeta = {}): Promise<EventJson> {
  const key = meta.idempotencyKey?.trim() || null;
  const scope = `events.action:${actor.id}:${id}`;
  const hash = requestHash(body);
  const prior = await findReply<EventJson>(ctx.db, scope, key, hash);
  if (prior) return prior.body;
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findEventInScope(trx, actor, id, { forUpdate: true });
    if (!row) throw notFound('event', '事件');
    const { row: saved } = await applyAndPersist(ctx, trx, row, body, actingActor(actor), actor, meta);
    const json = await eventJsonWithHistory(trx, saved, actor, ctx.now());
    await saveReply(trx, scope, key, hash, 200, json);
    return json;
  });
}

/**
 * E10 automatic escalation, called by the deadline job in its own transaction: one tier up,
 * as the system. Returns null when there is nothing to do (no longer open or not overdue);
 * throws the DomainError naming the gap when no higher tier or handler exists.
 */
export async function escalateForExpiry(ctx: AppContext, trx: Tx, eventId: string): Promise<EventJson | null> {
  const row = await lockEvent(trx, eventId);
  if (!row) return null;
  const now = ctx.now();
  if (!(ACTIVE_STATES as string[]).includes(row.state) || !row.deadline || new Date(row.deadline).getTime() > now.getTime()) return null;
  const reason = `超过${TIER_LABELS[row.tier as keyof typeof TIER_LABELS]?.zh ?? row.tier}办理时限，自动升级`;
  const { row: saved } = await applyAndPersist(ctx, trx, row, { type: 'escalate', reason }, { kind: 'system' }, null, {});
  return eventJsonWithHistory(trx, saved, null, now);
}
