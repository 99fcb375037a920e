import type { AppContext } from '../../context.js';
import { createHash } from 'node:crypto';
import { conflict, invalid } from '../../domain/errors.js';
import { writeAudit } from '../audit/store.js';
import { attachFiles } from '../files/store.js';
import { notify } from '../notifications/store.js';
import { createEvent } from '../events/create-event.js';
import { categoryName } from './catalogue.js';
import { newTrackingCode } from './tracking-code.js';

/** Photos a public reporter may add to one report. */
export const MAX_PUBLIC_PHOTOS = 6;

export interface PublicReportInput {
  title: string;
  description: string;
  businessId?: string;
  regionId?: string;
  location?: { lat: number; lng: number };
  contactPhone?: string;
  anonymous?: boolean;
  categoryCode?: string;
  /** File ids from `POST /api/v1/public/files`. */
  photos?: string[];
  /** Where it came from (web form, QR code, Open311 client) — kept in the audit record. */
  source?: string;
}

/**
 * S1/E1: a report from the public, no account. It becomes a `public_report` event routed to the
 * village coordinator of the place (E2) and gets a tracking code — the reporter's only handle on
 * it. Anonymous reports keep no phone; otherwise the phone is visible to the holder only (I5).
 */
export async function submitPublicReport(
  ctx: AppContext,
  input: PublicReportInput,
  ip: string,
  idempotencyKey?: string,
): Promise<{ trackingCode: string; eventId: string }> {
  // A browser retrying the same submission (flaky mobile network) gets the first tracking code.
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  if (idempotencyKey) {
    const prior = await ctx.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', IDEMPOTENCY_SCOPE).where('key', '=', idempotencyKey).executeTakeFirst();
    if (prior) {
      if (prior.request_hash !== requestHash)
        throw conflict('idempotency_key_reused', '该幂等键已用于另一次提交', 'this Idempotency-Key was used for a different report', 'Idempotency-Key');
      return prior.body as { trackingCode: string; eventId: string };
    }
  }
  if (!input.businessId && !input.regionId) {
    throw invalid('location_required', 'regionId', '请选择被举报的经营者或所在地区', 'choose the business or the region the report is about');
  }
  if ((input.photos?.length ?? 0) > MAX_PUBLIC_PHOTOS) {
    throw invalid('too_many_photos', 'photos', `最多上传 ${MAX_PUBLIC_PHOTOS} 张照片`, `at most ${MAX_PUBLIC_PHOTOS} photos`);
  }
  if (input.businessId) {
    const b = await ctx.db.selectFrom('businesses').select('id').where('id', '=', input.businessId).executeTakeFirst();
    if (!b) throw invalid('unknown_business', 'businessId', '未找到该经营者', 'unknown business');
  }
  if (input.regionId) {
    const r = await ctx.db.selectFrom('regions').select('id').where('id', '=', Number(input.regionId)).executeTakeFirst();
    if (!r) throw invalid('unknown_region', 'regionId', '未找到该地区', 'unknown region');
  }
  if (input.categoryCode && !(await categoryName(ctx.db, input.categoryCode))) {
    throw invalid('unknown_category', 'categoryCode', '举报类别不存在', 'unknown category');
  }
  const phone = input.anonymous ? null : (input.contactPhone?.replace(/[\s-]/g, '') ?? null);

  return ctx.db.transaction().execute(async (trx) => {
    let trackingCode = newTrackingCode();
    // ~8 × 10^14 codes: a clash is astronomically rare, but never reuse one.
    for (let i = 0; i < 5; i++) {
      const used = await trx.selectFrom('events').select('id').where('tracking_code', '=', trackingCode).executeTakeFirst();
      if (!used) break;
      trackingCode = newTrackingCode();
    }
    const event = await createEvent(ctx, trx, null, {
      channel: 'public_report',
      title: input.title,
      description: input.description,
      categoryCode: input.categoryCode,
      businessId: input.businessId,
      regionId: input.regionId,
      location: input.location,
      trackingCode,
      reporterPhone: phone,
      anonymous: !!input.anonymous,
    });
    const eventId = String(event.id);
    await attachFiles(trx, null, input.photos, { eventId, historySeq: 1 }, 'photos');
    await notify(trx, {
      recipientKey: `tracking:${trackingCode}`,
      kind: 'public.received',
      title: '您的举报已收到',
      body: '我们将尽快核实处理，请凭查询码查看办理进度。',
      eventId,
    });
    await writeAudit(trx, {
      actorId: null,
      actorName: '群众',
      action: 'public.report',
      entity: 'event',
      entityId: eventId,
      ip,
      detail: { source: input.source ?? 'web', anonymous: !!input.anonymous, photos: input.photos?.length ?? 0 },
    });
    if (idempotencyKey) {
      const saved = await trx
        .insertInto('idempotency_keys')
        .values({ scope: IDEMPOTENCY_SCOPE, key: idempotencyKey, request_hash: requestHash, status: 201, body: JSON.stringify({ trackingCode, eventId }) })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(saved.numInsertedOrUpdatedRows ?? 0) === 0) throw new RetryRace();
    }
    return { trackingCode, eventId };
  }).catch((e) => {
    // A concurrent retry committed first: answer with its result.
    if (e instanceof RetryRace) return submitPublicReport(ctx, input, ip, idempotencyKey);
    throw e;
  });
}

const IDEMPOTENCY_SCOPE = 'public_report';
class RetryRace extends Error {}
