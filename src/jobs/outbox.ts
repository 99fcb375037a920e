import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { backoffMs, type JobLog } from './runner.js';

export interface OutboxRow {
  id: number;
  topic: string;
  channel: string;
  payload: unknown;
  attempts: number;
}

/** Sends one outbox message on its channel; throws to have it retried. */
export type OutboxAdapter = (row: OutboxRow, log: JobLog) => Promise<void>;

/**
 * The development / single-office adapter: writes the message to the server log. Production
 * deployments register SMS, WeChat or webhook adapters per channel (X3).
 */
export const logAdapter: OutboxAdapter = async (row, log) => {
  log.info(`outbox ${row.channel} ${row.topic}`, { id: row.id, payload: row.payload as any });
};

const MAX_ATTEMPTS = 10;

/**
 * X3: delivers pending outbox rows in id order, a batch per transaction. A failed row is retried
 * with exponential backoff (10 s, 20 s … about 2.8 h in all) and then left with its last error. Rows are locked with
 * SKIP LOCKED, so a second deliverer (another server, a manual run) never sends one twice.
 */
export async function deliverOutbox(
  ctx: AppContext,
  log: JobLog,
  adapters: Record<string, OutboxAdapter> = {},
  fallback: OutboxAdapter = logAdapter,
  batch = 200,
): Promise<{ delivered: number; failed: number }> {
  let delivered = 0;
  let failed = 0;
  for (;;) {
    const r = await ctx.db.transaction().execute(async (trx) => {
      const rows = (
        await sql<OutboxRow>`SELECT id, topic, channel, payload, attempts FROM outbox
          WHERE delivered_at IS NULL AND attempts < ${MAX_ATTEMPTS}
            AND (next_attempt_at IS NULL OR next_attempt_at <= ${ctx.now()})
          ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`.execute(trx)
      ).rows;
      const ok: number[] = [];
      const bad: { id: number; error: string; attempts: number }[] = [];
      for (const row of rows) {
        try {
          await (adapters[row.channel] ?? fallback)(row, log);
          ok.push(row.id);
        } catch (e) {
          bad.push({ id: row.id, error: (e as Error).message ?? String(e), attempts: row.attempts + 1 });
        }
      }
      const now = ctx.now();
      if (ok.length) await sql`UPDATE outbox SET delivered_at = ${now}, attempts = attempts + 1 WHERE id = ANY(${ok}::bigint[])`.execute(trx);
      for (const b of bad) {
        await sql`UPDATE outbox SET attempts = attempts + 1, last_error = ${b.error.slice(0, 500)},
            next_attempt_at = ${new Date(now.getTime() + backoffMs(b.attempts))} WHERE id = ${b.id}`.execute(trx);
      }
      return { n: rows.length, ok: ok.length, bad: bad.length };
    });
    delivered += r.ok;
    failed += r.bad;
    if (r.n < batch) return { delivered, failed };
  }
}
