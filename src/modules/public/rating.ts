import type { AppContext, Tx } from '../../context.js';
import { conflict, invalid } from '../../domain/errors.js';
import { writeAudit } from '../audit/store.js';
import { appendEventHistory } from '../files/event-history.js';
import { notify, type Notice } from '../notifications/store.js';
import { eventByTrackingCode, finishedAt, publicStatus, ratedThisRound, reopenWindowDays, type EventRow, type PublicStatus } from './status.js';
import { reopenForPublic } from './reopen.js';
import { holderUserIds } from '../events/store.js';
import type { Tier } from '../../domain/events/index.js';

export interface RatingInput {
  score: number;
  comment?: string;
  reopen?: boolean;
}

/** Who to tell about a rating or a reopen request: the holder, as the events module defines it. */
export async function holderRecipients(trx: Tx, ev: EventRow): Promise<string[]> {
  return holderUserIds(trx, { tier: ev.tier as Tier, userId: ev.holder_user_id, organizationId: ev.holder_org_id, regionId: ev.holder_region_id });
}

/**
 * E9/S1: the reporter rates the handling once it has ended (closed or rejected), once per round;
 * with `reopen` and within the window (default 30 days after it ended) the report is handled
 * again. Everything — rating, history step, reopen, notices, audit — commits together.
 */
export async function ratePublicReport(ctx: AppContext, code: string, input: RatingInput, ip: string): Promise<PublicStatus> {
  await ctx.db.transaction().execute(async (trx) => {
    const ev = await eventByTrackingCode(trx, code, true);
    const history = await trx.selectFrom('event_history').select(['seq', 'type', 'public_note', 'at']).where('event_id', '=', ev.id).orderBy('seq').execute();
    let target = ev;
    if (ev.state === 'merged' && ev.merged_into) {
      target = (await trx.selectFrom('events').selectAll().where('id', '=', ev.merged_into).executeTakeFirst()) ?? ev;
    }
    const targetHistory =
      target === ev ? history : await trx.selectFrom('event_history').select(['seq', 'type', 'public_note', 'at']).where('event_id', '=', target.id).orderBy('seq').execute();
    const done = finishedAt(target, targetHistory);
    if (!done) throw conflict('not_finished', '举报办结后才能评价', 'the report can be rated once it is closed', 'score');
    if (ratedThisRound(history)) throw conflict('already_rated', '您已评价过本次办理结果', 'this handling has already been rated', 'score');
    if (input.reopen) {
      if (target !== ev) throw invalid('reopen_not_possible', 'reopen', '该举报已与其他举报合并办理，不能单独重新办理', 'a merged report cannot be reopened on its own');
      const days = await reopenWindowDays(trx);
      if (ctx.now().getTime() > done.getTime() + days * 86_400_000) {
        throw invalid('reopen_window_passed', 'reopen', `办结已超过 ${days} 天，不能申请重新办理`, `reopen is possible within ${days} days of closure`);
      }
    }
    const comment = input.comment?.trim() || null;
    await trx.updateTable('events').set({ rating: input.score, rating_comment: comment }).where('id', '=', ev.id).execute();
    await appendEventHistory(
      trx,
      ev.id,
      {
        type: 'public_rating',
        note: comment,
        publicNote: `您已评价：${'★'.repeat(input.score)}${'☆'.repeat(5 - input.score)}`,
        detail: { score: input.score, reopen: !!input.reopen },
      },
      ctx.now(),
    );
    const recipients = await holderRecipients(trx, target);
    const notices: Notice[] = recipients.map((userId) => ({
      userId,
      kind: input.reopen ? 'event.reopen_requested' : 'event.rated',
      title: input.reopen ? `举报人申请重新办理：${ev.title}` : `举报人评价 ${input.score} 星：${ev.title}`,
      body: comment,
      eventId: ev.id,
      link: `/events/${ev.id}`,
    }));
    await notify(trx, notices);
    if (input.reopen) await reopenForPublic(ctx, trx, ev, comment);
    await writeAudit(trx, {
      actorId: null,
      actorName: '群众',
      action: input.reopen ? 'public.rate_reopen' : 'public.rate',
      entity: 'event',
      entityId: ev.id,
      ip,
      detail: { score: input.score },
    });
  });
  return publicStatus(ctx, code);
}
