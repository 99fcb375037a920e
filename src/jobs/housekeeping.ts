import { sql } from 'kysely';
import type { AppContext } from '../context.js';

/** N3/E15: idempotency records answer retries for at least this long (offline phones). */
export const IDEMPOTENCY_KEEP_DAYS = 30;
/** Finished one-off jobs are kept this long for diagnosis. */
export const JOB_HISTORY_KEEP_DAYS = 30;
/** Recurring-run records (audit.seal alone makes 17,280 a day) are kept a week. */
export const JOB_RUNS_KEEP_DAYS = 7;

export async function purgeIdempotencyKeys(ctx: AppContext, keepDays = IDEMPOTENCY_KEEP_DAYS): Promise<{ idempotencyKeys: number; jobs: number; jobRuns: number }> {
  const cutoff = new Date(ctx.now().getTime() - Math.max(keepDays, IDEMPOTENCY_KEEP_DAYS) * 86400_000);
  const jobCutoff = new Date(ctx.now().getTime() - JOB_HISTORY_KEEP_DAYS * 86400_000);
  const a = await sql`DELETE FROM idempotency_keys WHERE created_at < ${cutoff}`.execute(ctx.db);
  const b = await sql`DELETE FROM jobs WHERE status IN ('done','failed') AND finished_at < ${jobCutoff}`.execute(ctx.db);
  const runCutoff = new Date(ctx.now().getTime() - JOB_RUNS_KEEP_DAYS * 86400_000);
  const c = await sql`DELETE FROM job_runs WHERE started_at < ${runCutoff}`.execute(ctx.db);
  return { idempotencyKeys: Number(a.numAffectedRows ?? 0), jobs: Number(b.numAffectedRows ?? 0), jobRuns: Number(c.numAffectedRows ?? 0) };
}
