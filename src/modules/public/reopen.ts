import type { AppContext, Tx } from '../../context.js';
import { appendEventHistory } from '../files/event-history.js';
import type { EventRow } from './status.js';

/**
 * E9: the reporter asks for the report to be handled again. Recorded as a history step; the
 * holder was notified by the caller and decides (the `reopen` action).
 */
export async function reopenForPublic(ctx: AppContext, trx: Tx, ev: EventRow, reason: string | null): Promise<void> {
  await appendEventHistory(
    trx,
    ev.id,
    { type: 'reopen_requested', note: reason ?? '举报人对处理结果不满意，申请重新办理', detail: { by: 'public' } },
    ctx.now(),
  );
}
