import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import { runIdempotent } from '../idempotency/run.js';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import { deadlineFor } from '../../domain/deadlines.js';
import { CHANNELS, hotspotPlan, initialRouting, type Channel, type HistoryEntry, type Holder } from '../../domain/events/index.js';
import { likePrefix } from '../regions/store.js';
import { notify } from '../notifications/store.js';
import { auditValues } from '../audit/store.js';
import { noticeRows } from '../notifications/store.js';
import { replyValues, saveReply, type PendingReply } from '../idempotency/store.js';
import { attachFiles } from '../files/store.js';
import {
  appendHistory,
  eventJsonWithHistory,
  historyValues,
  holderUserIds,
  insertNewEvent,
  intakeWriter,
  LINKABLE_STATES,
  loadIntakeContext,
  newEventRow,
  toEventJson,
  type EventJson,
  type EventRow,
  type EventSettings,
  type HistoryRow,
  type HotspotFlagWrite,
} from './store.js';

export interface CreateEventInput {
  channel: Channel;
  title: string;
  description: string;
  categoryCode?: string | null;
  businessId?: string | null;
  regionId?: string | number | null;
  location?: { lat: number; lng: number } | null;
  clientId?: string | null;
  /** E1: photos/videos uploaded ahead (POST /files), attached to the first history step. */
  attachmentIds?: string[] | null;
  /** Public channel: set by the public-report module. */
  trackingCode?: string | null;
  reporterPhone?: string | null;
  anonymous?: boolean;
  /**
   * S0 §三(二), X3: an `external` event already handled to closure on another platform (智慧市场
   * 监管平台) and shared here: stored closed, with its result and feedback.
   */
  closedElsewhere?: { result: string; feedback: string; reference?: string | null; closedAt?: string | null } | null;
}

export interface CreateMeta {
  ip?: string | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** E15: an event already created from this client id by this collector. */
export async function findByClientId(db: Tx, collectorId: string | null, clientId: string): Promise<EventRow | undefined> {
  return (
    await sql<EventRow>`SELECT * FROM events WHERE COALESCE(collector_id::text, '') = ${collectorId ?? ''} AND client_id = ${clientId}`.execute(db)
  ).rows[0];
}

/**
 * E1/E2: records a new event and routes it to its first holder: event row, history seq 1, tier
 * dwell, audit row, notification to the holder, and (E12) duplicate linking and hotspot flags.
 * `actor` null = a public report (the public module sets trackingCode / reporterPhone /
 * anonymous). Returns the Event JSON with its history.
 *
 * One read (the intake context) and one write statement in the common case, so `db` may be the
 * database itself: the write is atomic alone. Linking a duplicate or flagging earlier reports
 * or attaching pre-uploaded files takes more statements; they run in a transaction (the caller's,
 * or one opened here); a file that is not the caller's own unattached upload undoes it all. `reply`
 * (runIdempotent) is recorded with the writes.
 */
export async function createEvent(
  ctx: AppContext,
  db: Tx,
  actor: Actor | null,
  input: CreateEventInput,
  meta: CreateMeta = {},
  reply: PendingReply | null = null,
): Promise<EventJson> {
  const now = ctx.now();
  if (!(CHANNELS as readonly string[]).includes(input.channel)) {
    throw invalid('invalid_parameter', 'channel', '渠道无效', `channel must be one of ${CHANNELS.join(', ')}`);
  }
  if (!actor && input.channel !== 'public_report') {
    throw invalid('channel_not_allowed', 'channel', '匿名只能通过群众举报渠道上报', 'without an account only public reports are possible');
  }
  const title = input.title?.trim();
  const description = input.description?.trim();
  if (!title) throw invalid('missing_parameter', 'title', '请填写标题', 'title is required');
  if (!description) throw invalid('missing_parameter', 'description', '请填写问题描述', 'description is required');

  // Where: the business's unit, or the given region. Inside the caller's jurisdiction (I4).
  let askedRegion: number | null = null;
  if (input.businessId) {
    if (!UUID_RE.test(input.businessId)) throw notFound('business', '食品经营主体', 'businessId');
  } else if (input.regionId != null && input.regionId !== '') {
    askedRegion = Number(input.regionId);
    if (!Number.isSafeInteger(askedRegion)) throw notFound('region', '区域', 'regionId');
  } else {
    throw invalid('missing_parameter', 'regionId', '请选择食品经营主体或所在区域', 'businessId or regionId is required');
  }
  if (input.location && (Math.abs(input.location.lat) > 90 || Math.abs(input.location.lng) > 180)) {
    throw invalid('invalid_parameter', 'location', '坐标无效', 'location is out of range');
  }
  const categoryCode = input.categoryCode?.trim() || null;
  const attachmentIds = input.attachmentIds ?? [];

  const c = await loadIntakeContext(db, {
    businessId: input.businessId || null,
    regionId: askedRegion,
    collectorId: actor?.id ?? null,
    clientId: input.clientId || null,
    categoryCode,
    now,
  });

  // E15: the same client id from the same collector is the same event.
  if (c.existingId) {
    const existing = (await db.selectFrom('events').selectAll().where('id', '=', c.existingId).executeTakeFirst())!;
    const body = await eventJsonWithHistory(db, existing, actor, now);
    if (reply) await saveReply(db, reply.scope, reply.key, reply.hash, reply.status, body);
    return body;
  }

  const place = c.place;
  const publicChannel = input.channel === 'public_report';
  if (!place || (actor && !publicChannel && !inScope(actor.scope, place.path))) {
    throw input.businessId ? notFound('business', '食品经营主体', 'businessId') : notFound('region', '区域', 'regionId');
  }
  if (categoryCode && !c.categoryKnown) {
    throw invalid('unknown_category', 'categoryCode', '事项清单中没有该事项', 'categoryCode is not in the item catalogue');
  }

  const elsewhere = input.closedElsewhere ?? null;
  let closedAt: Date | null = null;
  if (elsewhere) {
    if (input.channel !== 'external') {
      throw invalid('invalid_parameter', 'closedElsewhere', '只有外部平台事件可以按已办结导入', 'only external events may arrive closed');
    }
    if (!elsewhere.result?.trim()) throw invalid('missing_parameter', 'closedElsewhere.result', '缺少处理结果', 'result is required');
    if (!elsewhere.feedback?.trim()) throw invalid('missing_parameter', 'closedElsewhere.feedback', '缺少反馈', 'feedback is required');
    closedAt = elsewhere.closedAt ? new Date(elsewhere.closedAt) : now;
    if (Number.isNaN(closedAt.getTime()) || closedAt.getTime() > now.getTime()) {
      throw invalid('invalid_parameter', 'closedElsewhere.closedAt', '办结时间无效', 'closedAt must be a past date-time');
    }
  }

  const { settings, world } = c;
  const route = initialRouting(
    input.channel,
    actor ? { id: actor.id, role: actor.role, regionId: actor.regionId, organizationId: actor.organizationId, organizationType: actor.organizationType } : null,
    world,
  );

  // E12: an open report on the same business and category within the window is not handled twice.
  const duplicateOf = place.businessId && categoryCode && !elsewhere ? c.duplicate : null;

  const id = newId();
  const state = duplicateOf ? 'merged' : elsewhere ? 'closed' : 'open';
  const deadline = duplicateOf || elsewhere ? null : deadlineFor(route.tier, now, settings.deadlines);
  const villagePath = world.ancestors.find((a) => a.level === 'village')?.path ?? null;
  const hot = hotspotPlan(
    c.hotspotGroups.filter((g) => g.kind === 'business' || villagePath),
    settings.hotspotThreshold,
    (LINKABLE_STATES as readonly string[]).includes(state),
  );
  const holderPath = route.holder.regionId != null ? (world.ancestors.find((a) => a.id === route.holder.regionId)?.path ?? null) : null;
  const values = {
    id,
    channel: input.channel,
    title,
    description,
    category_code: categoryCode,
    business_id: place.businessId,
    region_id: place.regionId,
    region_path: place.path,
    lat: input.location?.lat ?? null,
    lng: input.location?.lng ?? null,
    state,
    tier: route.tier,
    origin_tier: route.originTier,
    holder_region_id: route.holder.regionId,
    holder_path: holderPath,
    holder_org_id: route.holder.organizationId,
    holder_user_id: route.holder.userId,
    collector_id: actor?.id ?? null,
    collector_org_id: actor?.organizationId ?? null,
    client_id: input.clientId ?? null,
    version: hot.flagNew ? 2 : 1,
    hotspot: !!hot.flagNew,
    tier_entered_at: now,
    deadline,
    merged_into: duplicateOf?.id ?? null,
    closed_at: duplicateOf ? now : closedAt,
    resolved_at: closedAt,
    result: elsewhere?.result.trim() ?? null,
    feedback: elsewhere?.feedback.trim() ?? null,
    feedback_at: closedAt,
    tracking_code: input.trackingCode ?? null,
    reporter_phone: input.reporterPhone ?? null,
    reporter_anonymous: input.anonymous ?? false,
    created_at: now,
    updated_at: now,
  };

  const entries: HistoryEntry[] = [
    {
      type: 'create',
      actorId: actor?.id ?? null,
      actorRole: actor?.role ?? 'public',
      fromState: null,
      toState: state,
      fromTier: null,
      toTier: route.tier,
      fromHolder: null,
      toHolder: route.holder,
      note: duplicateOf
        ? `与事件“${duplicateOf.title}”重复，已合并办理`
        : elsewhere
          ? `外部平台已闭环处置${elsewhere.reference ? `（${elsewhere.reference}）` : ''}，共享至本平台`
          : route.note,
      detail: duplicateOf ? { duplicateOf: duplicateOf.id } : elsewhere ? { closedElsewhere: { ...elsewhere, closedAt: closedAt!.toISOString() } } : null,
      publicNote: duplicateOf ? '已收到，与同一问题的其他举报合并办理' : elsewhere ? '已办结' : '已收到，正在分派办理',
    },
  ];
  if (hot.flagNew) entries.push(hotspotEntry(state, route.holder, settings, hot.flagNew.kind, hot.flagNew.reports));
  const history = entries.map((h, i) => historyValues(id, i + 1, h, now));

  // handled elsewhere or merged: no stay at any tier here, nobody to notify
  const routed = !duplicateOf && !elsewhere;
  const recipients = routed ? (await holderUserIds(db, route.holder)).filter((u) => u !== (actor?.id ?? null)) : [];
  const notices = noticeRows(recipients.map((userId) => ({ userId, kind: 'event_assigned', title: `新事件：${title}`, eventId: id, link: `/events/${id}` })));
  const audit = auditValues({
    actorId: actor?.id ?? null,
    actorName: actor?.username ?? null,
    action: 'event.create',
    entity: 'event',
    entityId: id,
    ip: meta.ip ?? null,
    detail: { channel: input.channel, tier: route.tier, duplicateOf: duplicateOf?.id ?? null, hotspot: !!hot.flagNew },
  });
  // The intake answer carries the event and its history; display names are for GET (the console).
  const body = toEventJson(newEventRow(values), history as HistoryRow[], actor, now);

  const writes = {
    // holder_path is not written from here: the statement reads it from the holder's region
    event: values,
    history,
    dwell: routed ? { event_id: id, tier: route.tier, region_id: route.holder.regionId, entered_at: now } : null,
    notices,
    audit,
  };
  // E12: the earlier open reports of each hot group are flagged by the same statement
  const since = new Date(now.getTime() - settings.hotspotDays * 86400_000);
  const flags: HotspotFlagWrite[] = hot.flagOthers.map((g) => {
    const line = hotspotEntry(state, route.holder, settings, g.kind, g.reports);
    const business = g.kind === 'business';
    return {
      businessId: business ? place.businessId : null,
      categoryCode: business ? null : categoryCode,
      pathPattern: business ? null : likePrefix(villagePath!),
      since,
      now,
      note: line.note!,
      detail: line.detail!,
    };
  });
  const w = { ...writes, flags, reply: reply ? replyValues(reply, body) : null };
  if (!duplicateOf && !attachmentIds.length) {
    // alone in the caller's transaction; otherwise together with the reports arriving with it (N3)
    if (db.isTransaction) await insertNewEvent(db, w);
    else await intakeWriter(db).submit(w);
    return body;
  }
  const more = async (trx: Tx) => {
    await insertNewEvent(trx, w);
    await attachFiles(trx, actor, attachmentIds, { eventId: id, historySeq: 1, regionPath: place.path });
    if (duplicateOf) await linkDuplicate(trx, duplicateOf.id, id, actor, now);
  };
  if (db.isTransaction) await more(db);
  else await db.transaction().execute(more);
  return body;
}

function hotspotEntry(state: string, holder: Holder, s: EventSettings, kind: 'business' | 'village_category', reports: number): HistoryEntry {
  return {
    type: 'hotspot',
    actorId: null,
    actorRole: 'system',
    fromState: state as any,
    toState: state as any,
    fromTier: holder.tier,
    toTier: holder.tier,
    fromHolder: holder,
    toHolder: holder,
    note: `${s.hotspotDays}天内同一${kind === 'business' ? '经营主体' : '村（社区）同类问题'}收到${reports}次报告，标记为热点`,
    detail: { reports, days: s.hotspotDays },
    publicNote: null,
  };
}

export async function notifyHolder(trx: Tx, holder: Holder, eventId: string, title: string, exceptUserId: string | null) {
  const ids = (await holderUserIds(trx, holder)).filter((u) => u !== exceptUserId);
  await notify(
    trx,
    ids.map((userId) => ({ userId, kind: 'event_assigned', title, eventId, link: `/events/${eventId}` })),
  );
}

/** The original gets a history line (and a version) for the linked duplicate. */
async function linkDuplicate(trx: Tx, originalId: string, duplicateId: string, actor: Actor | null, now: Date) {
  const o = (await sql<EventRow>`SELECT * FROM events WHERE id = ${originalId} FOR UPDATE`.execute(trx)).rows[0];
  if (!o) return;
  await trx.updateTable('events').set({ version: o.version + 1, updated_at: now }).where('id', '=', originalId).execute();
  const holder: Holder = { tier: o.tier as any, regionId: o.holder_region_id, organizationId: o.holder_org_id, userId: o.holder_user_id };
  await appendHistory(
    trx,
    originalId,
    {
      type: 'duplicate_linked',
      actorId: actor?.id ?? null,
      actorRole: actor?.role ?? 'public',
      fromState: o.state as any,
      toState: o.state as any,
      fromTier: o.tier as any,
      toTier: o.tier as any,
      fromHolder: holder,
      toHolder: holder,
      note: '收到同一问题的重复报告，已合并到本事件',
      detail: { duplicateId },
      publicNote: null,
    },
    now,
  );
}

// ------------------------------------------------------------------ the HTTP command

/**
 * POST /api/v1/events: atomic (one statement, or one transaction when it links or flags others); `Idempotency-Key` header (or `clientId`) → the first
 * answer again, never a second event (E15, N3).
 */
export async function createEventCommand(
  ctx: AppContext,
  actor: Actor,
  input: CreateEventInput,
  meta: CreateMeta & { idempotencyKey?: string | null },
): Promise<{ status: number; body: EventJson }> {
  return runIdempotent(ctx, {
    scope: `events.create:${actor.id}`,
    key: meta.idempotencyKey,
    request: input,
    status: 201,
    runAtomic: (db, reply) => createEvent(ctx, db, actor, input, meta, reply),
    findExisting: async () => {
      const row = input.clientId ? await findByClientId(ctx.db, actor.id, input.clientId) : undefined;
      return row ? eventJsonWithHistory(ctx.db, row, actor, ctx.now()) : undefined;
    },
  });
}
