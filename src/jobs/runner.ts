import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext, Tx } from '../context.js';

/**
 * N2 job runner. Every server process runs one; they coordinate only through the database:
 *
 * - Recurring jobs are cut into slots (`everyMs`, aligned to `offsetMs`). The process whose
 *   `INSERT INTO job_runs (name, slot)` wins runs that occurrence; the others see the conflict
 *   and skip it. So each occurrence runs exactly once however many servers are up. A process
 *   that dies mid-run leaves its slot "running"; it is marked abandoned after the lease, and the
 *   next slot does the work (all recurring jobs are sweeps, so nothing is lost).
 * - One-off jobs are rows in `jobs`, claimed with `FOR UPDATE SKIP LOCKED`: each row is run by
 *   one process; failures are retried with exponential backoff up to `max_attempts`; a lease
 *   held by a dead process is taken back.
 *
 * On the embedded database (one process) the same code runs unchanged.
 */

export interface JobLog {
  info(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

export interface JobContext {
  ctx: AppContext;
  runner: string;
  log: JobLog;
  /** Scheduled start of this occurrence (recurring jobs). */
  slot?: Date;
}

export interface RecurringJob {
  name: string;
  /** Slot length. */
  everyMs: number;
  /** Slot alignment from the Unix epoch (e.g. 19 h for "daily at 03:00 China time"). */
  offsetMs?: number;
  run(jc: JobContext): Promise<unknown>;
}

export interface JobHandler {
  name: string;
  run(jc: JobContext, payload: any): Promise<unknown>;
}

export interface RunnerOptions {
  recurring: RecurringJob[];
  handlers?: JobHandler[];
  /** How often the runner looks for work. */
  pollMs?: number;
  /** A running job or slot older than this is considered abandoned. */
  leaseMs?: number;
  /** One-off jobs claimed per poll. */
  batch?: number;
  log?: JobLog;
}

export function slotOf(now: Date, everyMs: number, offsetMs = 0): Date {
  const t = now.getTime() - offsetMs;
  return new Date(Math.floor(t / everyMs) * everyMs + offsetMs);
}

/** Retry delay after `attempts` failures: 10 s, 20 s, 40 s … capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(3600_000, 10_000 * 2 ** Math.max(0, attempts - 1));
}

const consoleLog: JobLog = {
  info: (m, e) => console.log(`[jobs] ${m}${e ? ' ' + JSON.stringify(e) : ''}`),
  error: (m, e) => console.error(`[jobs] ${m}${e ? ' ' + JSON.stringify(e) : ''}`),
};

/** Adds a one-off job in the caller's transaction (it runs only if that transaction commits). */
export async function enqueueJob(
  trx: Tx,
  name: string,
  payload: unknown = {},
  opts: { runAt?: Date; dedupeKey?: string; maxAttempts?: number } = {},
): Promise<string | null> {
  const row = await sql<{ id: number }>`
    INSERT INTO jobs (name, payload, run_at, dedupe_key, max_attempts)
    VALUES (${name}, ${JSON.stringify(payload ?? {})}::jsonb, ${opts.runAt ?? new Date()}, ${opts.dedupeKey ?? null}, ${opts.maxAttempts ?? 5})
    ON CONFLICT (name, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING id`.execute(trx);
  return row.rows[0] ? String(row.rows[0].id) : null;
}

export class JobRunner {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly recurring: RecurringJob[];
  private readonly handlers = new Map<string, JobHandler>();
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly log: JobLog;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private ticking: Promise<void> | null = null;
  /** Recurring jobs running in this process (one lane per job name). */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Last slot this process tried per job, so it asks the database once per slot. */
  private readonly tried = new Map<string, number>();
  private lastReap = 0;

  constructor(
    private readonly ctx: AppContext,
    opts: RunnerOptions,
  ) {
    this.recurring = opts.recurring;
    for (const h of opts.handlers ?? []) this.handlers.set(h.name, h);
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 10 * 60_000;
    this.batch = opts.batch ?? 10;
    this.log = opts.log ?? consoleLog;
  }

  start(): void {
    if (this.timer || this.stopping) return;
    const loop = () => {
      if (this.stopping) return;
      this.ticking = this.tick()
        .catch((e) => this.log.error('tick failed', { error: (e as Error).message }))
        .finally(() => {
          this.ticking = null;
          // Jitter, so that of several processes no one always polls first and takes every slot.
          if (!this.stopping) this.timer = setTimeout(loop, this.pollMs * (0.5 + Math.random() * 0.5));
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Graceful stop: no new work; waits for what is running (up to `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = [this.ticking, ...this.lanes.values()].filter(Boolean) as Promise<void>[];
    if (!pending.length) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(pending), new Promise((r) => (t = setTimeout(r, timeoutMs)))]);
    if (t) clearTimeout(t);
  }

  /** One pass: start due recurring occurrences, run due one-off jobs. Exposed for tests. */
  async tick(): Promise<void> {
    const now = this.ctx.now();
    if (now.getTime() - this.lastReap > 60_000) {
      this.lastReap = now.getTime();
      await this.reap(now);
    }
    for (const job of this.recurring) {
      if (this.stopping) return;
      const slot = slotOf(now, job.everyMs, job.offsetMs);
      if (this.tried.get(job.name) === slot.getTime() || this.lanes.has(job.name)) continue;
      this.tried.set(job.name, slot.getTime());
      const claimed = await this.claimSlot(job.name, slot);
      if (!claimed) continue;
      const lane = this.runSlot(job, slot).finally(() => this.lanes.delete(job.name));
      this.lanes.set(job.name, lane);
    }
    if (this.handlers.size && !this.stopping) await this.runDueJobs(now);
  }

  /** Waits until the recurring jobs this process started have finished (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.lanes.values()]);
  }

  private async claimSlot(name: string, slot: Date): Promise<boolean> {
    const r = await sql<{ name: string }>`
      INSERT INTO job_runs (name, slot, runner, started_at) VALUES (${name}, ${slot}, ${this.id}, ${this.ctx.now()})
      ON CONFLICT (name, slot) DO NOTHING RETURNING name`.execute(this.ctx.db);
    return r.rows.length === 1;
  }

  private async runSlot(job: RecurringJob, slot: Date): Promise<void> {
    let status: 'done' | 'failed' = 'done';
    let result: unknown = null;
    let error: string | null = null;
    try {
      result = await job.run({ ctx: this.ctx, runner: this.id, log: this.log, slot });
    } catch (e) {
      status = 'failed';
      error = (e as Error).message ?? String(e);
      this.log.error(`${job.name} failed`, { slot: slot.toISOString(), error });
    }
    await sql`UPDATE job_runs SET status = ${status}, finished_at = ${this.ctx.now()},
        result = ${result == null ? null : JSON.stringify(result)}::jsonb, error = ${error}
      WHERE name = ${job.name} AND slot = ${slot} AND runner = ${this.id}`
      .execute(this.ctx.db)
      .catch((e) => this.log.error('could not record run', { job: job.name, error: (e as Error).message }));
  }

  private async runDueJobs(now: Date): Promise<void> {
    const names = [...this.handlers.keys()];
    const claimed = (
      await sql<{ id: number; name: string; payload: any; attempts: number; max_attempts: number }>`
        UPDATE jobs SET status = 'running', locked_by = ${this.id}, locked_at = ${now}, attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM jobs
          WHERE status = 'pending' AND run_at <= ${now} AND name = ANY(${names}::text[])
          ORDER BY run_at, id
          LIMIT ${this.batch}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, name, payload, attempts, max_attempts`.execute(this.ctx.db)
    ).rows;
    for (const job of claimed) {
      if (this.stopping) {
        // Hand the rest back untouched for another process (or the next start).
        await sql`UPDATE jobs SET status = 'pending', locked_by = NULL, locked_at = NULL, attempts = attempts - 1
          WHERE id = ${job.id} AND locked_by = ${this.id}`.execute(this.ctx.db);
        continue;
      }
      const handler = this.handlers.get(job.name)!;
      try {
        await handler.run({ ctx: this.ctx, runner: this.id, log: this.log }, job.payload);
        await sql`UPDATE jobs SET status = 'done', finished_at = ${this.ctx.now()}, last_error = NULL
          WHERE id = ${job.id} AND locked_by = ${this.id}`.execute(this.ctx.db);
      } catch (e) {
        const error = (e as Error).message ?? String(e);
        const final = job.attempts >= job.max_attempts;
        this.log.error(`job ${job.name}#${job.id} failed`, { attempt: job.attempts, final, error });
        await sql`UPDATE jobs SET status = ${final ? 'failed' : 'pending'}, last_error = ${error},
            run_at = ${new Date(this.ctx.now().getTime() + backoffMs(job.attempts))},
            locked_by = NULL, locked_at = NULL, finished_at = ${final ? this.ctx.now() : null}
          WHERE id = ${job.id} AND locked_by = ${this.id}`.execute(this.ctx.db);
      }
    }
  }

  /** Takes back leases of processes that died while holding them. */
  private async reap(now: Date): Promise<void> {
    const before = new Date(now.getTime() - this.leaseMs);
    await sql`UPDATE jobs SET status = 'pending', locked_by = NULL, locked_at = NULL,
        last_error = COALESCE(last_error, 'lease expired')
      WHERE status = 'running' AND locked_at < ${before}`.execute(this.ctx.db);
    await sql`UPDATE job_runs SET status = 'abandoned', finished_at = ${now}
      WHERE status = 'running' AND started_at < ${before}`.execute(this.ctx.db);
  }
}
