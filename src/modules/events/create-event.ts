import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { runIdempotent } from '../idempotency/run.js';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import { deadlineFor } from '../../domain/deadlines.js';
import { CHANNELS, initialRouting, type Channel, type HistoryEntry, type Holder } from '../../domain/events/index.js';
import { writeAudit } from '../audit/store.js';
import { likePrefix } from '../regions/store.js';
import { notify } from '../notifications/store.js';
import {
  appendHistory,
  holderUserIds,
  loadEventSettings,
  eventJsonWithHistory,
  loadHistory,
  loadRoutingWorld,
  toEventJson,
  startDwell,
  type EventJson,
  type EventRow,
  type EventSettings,
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

async function catalogueKnows(trx: Tx, code: string): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT 1 AS n FROM catalogue_items WHERE code = ${code}
    UNION ALL SELECT 1 FROM catalogue_categories WHERE code = ${code} LIMIT 1`.execute(trx);
  return r.rows.length > 0;
}

/**
 * E1/E2: records a new event and routes it to its first holder, in the caller's transaction:
 * event row, history seq 1, tier dwell, audit row, notification to the holder, and (E12)
 * duplicate linking and hotspot flags. `actor` null = a public report (the public module sets
 * trackingCode / reporterPhone / anonymous). Returns the Event JSON with its history.
 */
export async function createEvent(ctx: AppContext, trx: Tx, actor: Actor | null, input: CreateEventInput, meta: CreateMeta = {}): Promise<EventJson> {
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

  // E15: the same client id from the same collector is the same event.
  if (input.clientId) {
    const existing = await findByClientId(trx, actor?.id ?? null, input.clientId);
    if (existing) return eventJsonWithHistory(trx, existing, actor, now);
  }

  // Where: the business's unit, or the given region. Inside the caller's jurisdiction (I4).
  let regionId: number;
  let regionPath: string;
  let businessId: string | null = null;
  if (input.businessId) {
    if (!UUID_RE.test(input.businessId)) throw notFound('business', '食品经营主体', 'businessId');
    const b = await trx.selectFrom('businesses').select(['id', 'region_id', 'region_path']).where('id', '=', input.businessId).executeTakeFirst();
    if (!b || (actor && !inScope(actor.scope, b.region_path) && input.channel !== 'public_report')) throw notFound('business', '食品经营主体', 'businessId');
    businessId = b.id;
    regionId = b.region_id;
    regionPath = b.region_path;
  } else if (input.regionId != null && input.regionId !== '') {
    const n = Number(input.regionId);
    const r = Number.isSafeInteger(n) ? await trx.selectFrom('regions').select(['id', 'path']).where('id', '=', n).executeTakeFirst() : undefined;
    if (!r || (actor && !inScope(actor.scope, r.path) && input.channel !== 'public_report')) throw notFound('region', '区域', 'regionId');
    regionId = r.id;
    regionPath = r.path;
  } else {
    throw invalid('missing_parameter', 'regionId', '请选择食品经营主体或所在区域', 'businessId or regionId is required');
  }

  const categoryCode = input.categoryCode?.trim() || null;
  if (categoryCode && !(await catalogueKnows(trx, categoryCode))) {
    throw invalid('unknown_category', 'categoryCode', '事项清单中没有该事项', 'categoryCode is not in the item catalogue');
  }
  if (input.location && (Math.abs(input.location.lat) > 90 || Math.abs(input.location.lng) > 180)) {
    throw invalid('invalid_parameter', 'location', '坐标无效', 'location is out of range');
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

  const settings = await loadEventSettings(trx);
  const world = await loadRoutingWorld(trx, regionPath);
  const route = initialRouting(
    input.channel,
    actor ? { id: actor.id, role: actor.role, regionId: actor.regionId, organizationId: actor.organizationId, organizationType: actor.organizationType } : null,
    world,
  );

  // E12: an open report on the same business and category within the window is not handled twice.
  const duplicateOf = businessId && categoryCode && !elsewhere ? await findOpenDuplicate(trx, businessId, categoryCode, now, settings) : undefined;

  const id = uuidv7();
  const state = duplicateOf ? 'merged' : elsewhere ? 'closed' : 'open';
  const deadline = duplicateOf || elsewhere ? null : deadlineFor(route.tier, now, settings.deadlines);
  const row = await trx
    .insertInto('events')
    .values({
      id,
      channel: input.channel,
      title,
      description,
      category_code: categoryCode,
      business_id: businessId,
      region_id: regionId,
      region_path: regionPath,
      lat: input.location?.lat ?? null,
      lng: input.location?.lng ?? null,
      state,
      tier: route.tier,
      origin_tier: route.originTier,
      holder_region_id: route.holder.regionId,
      holder_path: route.holder.regionId != null ? (sql<string>`(SELECT path FROM regions WHERE id = ${route.holder.regionId})` as any) : null,
      holder_org_id: route.holder.organizationId,
      holder_user_id: route.holder.userId,
      collector_id: actor?.id ?? null,
      collector_org_id: actor?.organizationId ?? null,
      client_id: input.clientId ?? null,
      version: 1,
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
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  const entry: HistoryEntry = {
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
  };
  await appendHistory(trx, id, entry, now, 1);

  if (duplicateOf) {
    await linkDuplicate(trx, duplicateOf.id, id, actor, now);
  } else if (elsewhere) {
    // handled elsewhere: no stay at any tier here, nobody to notify
  } else {
    await startDwell(trx, id, route.tier, route.holder.regionId, now);
    await notifyHolder(trx, route.holder, id, `新事件：${title}`, actor?.id ?? null);
  }
  const hot = await flagHotspots(trx, row, settings, now, world.ancestors.find((a) => a.level === 'village')?.path ?? null);
  await writeAudit(trx, {
    actorId: actor?.id ?? null,
    actorName: actor?.username ?? null,
    action: 'event.create',
    entity: 'event',
    entityId: id,
    ip: meta.ip ?? null,
    detail: { channel: input.channel, tier: route.tier, duplicateOf: duplicateOf?.id ?? null, hotspot: hot.includes(id) },
  });
  const final = hot.includes(id) ? await trx.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow() : row;
  // The intake answer carries the event and its history; display names are for GET (the console).
  return toEventJson(final, await loadHistory(trx, id), actor, now);
}

export async function notifyHolder(trx: Tx, holder: Holder, eventId: string, title: string, exceptUserId: string | null) {
  const ids = (await holderUserIds(trx, holder)).filter((u) => u !== exceptUserId);
  await notify(
    trx,
    ids.map((userId) => ({ userId, kind: 'event_assigned', title, eventId, link: `/events/${eventId}` })),
  );
}

async function findOpenDuplicate(trx: Tx, businessId: string, categoryCode: string, now: Date, s: EventSettings) {
  const since = new Date(now.getTime() - s.duplicateWindowHours * 3600_000);
  return trx
    .selectFrom('events')
    .select(['id', 'title'])
    .where('business_id', '=', businessId)
    .where('category_code', '=', categoryCode)
    .where('created_at', '>=', since)
    .where('state', 'in', ['open', 'in_progress', 'rectifying', 'resolved'])
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
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

/**
 * E12 hotspots: N reports (default 3) within D days (default 7) on one business, or on one
 * village with one category, flag the still-open events of that group `hotspot = true`.
 * Returns the ids newly flagged.
 */
async function flagHotspots(trx: Tx, e: EventRow, s: EventSettings, now: Date, villagePath: string | null): Promise<string[]> {
  const since = new Date(now.getTime() - s.hotspotDays * 86400_000);
  const groups = [];
  if (e.business_id) groups.push(sql`business_id = ${e.business_id}`);
  if (e.category_code && villagePath) groups.push(sql`(category_code = ${e.category_code} AND region_path LIKE ${likePrefix(villagePath)})`);
  const flagged: string[] = [];
  for (const g of groups) {
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE ${g} AND created_at >= ${since}`.execute(trx)).rows[0].n;
    if (n < s.hotspotThreshold) continue;
    const targets = (
      await sql<{ id: string }>`SELECT id FROM events WHERE ${g} AND created_at >= ${since} AND hotspot = false
        AND state IN ('open','in_progress','rectifying','resolved') ORDER BY id FOR UPDATE`.execute(trx)
    ).rows;
    for (const t of targets) {
      const r = (
        await sql<EventRow>`UPDATE events SET hotspot = true, version = version + 1, updated_at = ${now} WHERE id = ${t.id} RETURNING *`.execute(trx)
      ).rows[0];
      const holder: Holder = { tier: r.tier as any, regionId: r.holder_region_id, organizationId: r.holder_org_id, userId: r.holder_user_id };
      await appendHistory(
        trx,
        t.id,
        {
          type: 'hotspot',
          actorId: null,
          actorRole: 'system',
          fromState: r.state as any,
          toState: r.state as any,
          fromTier: r.tier as any,
          toTier: r.tier as any,
          fromHolder: holder,
          toHolder: holder,
          note: `${s.hotspotDays}天内同一${e.business_id ? '经营主体' : '村（社区）同类问题'}收到${n}次报告，标记为热点`,
          detail: { reports: n, days: s.hotspotDays },
          publicNote: null,
        },
        now,
      );
      flagged.push(t.id);
    }
  }
  return flagged;
}

// ------------------------------------------------------------------ the HTTP command

/**
 * POST /api/v1/events: one transaction; `Idempotency-Key` header (or `clientId`) → the first
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
    run: (trx) => createEvent(ctx, trx, actor, input, meta),
    findExisting: async () => {
      const row = input.clientId ? await findByClientId(ctx.db, actor.id, input.clientId) : undefined;
      return row ? eventJsonWithHistory(ctx.db, row, actor, ctx.now()) : undefined;
    },
  });
}
