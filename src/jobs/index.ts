import fs from 'node:fs';
import type { AppContext } from '../context.js';
import { sealAudit } from '../modules/audit/store.js';
import { foldEventStats, vacuumEventStatsLog } from '../modules/events/metrics.js';
import { sweepDeadlines } from './deadlines.js';
import { deliverOutbox } from './outbox.js';
import { purgeIdempotencyKeys } from './housekeeping.js';
import { remindPatrolShortfalls } from '../modules/patrols/shortfall-reminders.js';
import { JobRunner, type JobHandler, type JobLog, type RecurringJob } from './runner.js';

export { enqueueJob, JobRunner } from './runner.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
/** 03:00 China time = 19:00 UTC: daily housekeeping runs at night. */
const NIGHT_OFFSET = 19 * 60 * MINUTE;
/** 09:00 China time = 01:00 UTC: reminders at the start of the working day. */
const MORNING_OFFSET = 1 * 60 * MINUTE;

/** The platform's recurring jobs (N2). Each slot runs once across all server processes. */
export function recurringJobs(): RecurringJob[] {
  const jobs: RecurringJob[] = [
    { name: 'audit.seal', everyMs: 5 * SECOND, run: async ({ ctx }) => ({ sealed: await sealAudit(ctx.db, { pace: true }) }) },
    // E14: pending metrics changes into the rollup, and the folded log rows cleared. Half a period
    // after the seal: under heavy intake each is a burst of database work, and the two together
    // would take both cores from the requests at once (N3)
    { name: 'events.stats', everyMs: 5 * SECOND, offsetMs: 2.5 * SECOND, run: async ({ ctx }) => ({ folded: await foldEventStats(ctx.db, { pace: true }) }) },
    {
      name: 'events.stats.vacuum',
      everyMs: MINUTE,
      run: async ({ ctx }) => {
        if (ctx.database.kind !== 'postgres') return { skipped: 'embedded database' };
        await vacuumEventStatsLog(ctx.db);
        return { vacuumed: true };
      },
    },
    { name: 'events.deadlines', everyMs: MINUTE, run: async ({ ctx, log }) => sweepDeadlines(ctx, log) },
    { name: 'outbox.deliver', everyMs: 5 * SECOND, run: async ({ ctx, log }) => deliverOutbox(ctx, log) },
    { name: 'idempotency.purge', everyMs: DAY, offsetMs: NIGHT_OFFSET, run: async ({ ctx }) => purgeIdempotencyKeys(ctx) },
    // P2/S1: acts on the 20th of each month only (see remindPatrolShortfalls).
    { name: 'patrols.shortfall', everyMs: DAY, offsetMs: MORNING_OFFSET, run: async ({ ctx }) => remindPatrolShortfalls(ctx) },
  ];
  const probe = probeFile();
  if (probe) {
    jobs.push({
      name: 'jobs.probe',
      // Longer than the poll interval, so some process always sees each slot.
      everyMs: 2 * SECOND,
      run: async ({ slot, runner }) => fs.appendFileSync(probe, `recurring ${slot!.toISOString()} ${runner}\n`),
    });
  }
  return jobs;
}

/** One-off job handlers by name (rows in `jobs`). Modules add theirs here. */
export function jobHandlers(): JobHandler[] {
  const handlers: JobHandler[] = [];
  const probe = probeFile();
  if (probe) {
    handlers.push({ name: 'jobs.probe', run: async ({ runner }, payload) => fs.appendFileSync(probe, `oneoff ${payload?.n} ${runner}\n`) });
  }
  return handlers;
}

/**
 * Operations check for N2 (used by the two-process test and when validating a deployment):
 * with FOODGRID_JOBS_PROBE_FILE set, every process appends each job occurrence it runs to that
 * file, so duplicates or gaps across processes are visible. Off in normal operation.
 */
function probeFile(): string | undefined {
  return process.env.FOODGRID_JOBS_PROBE_FILE || undefined;
}

/** Starts this process's runner (only when `config.jobs`); stop it before closing the database. */
export function startJobs(ctx: AppContext, log?: JobLog): JobRunner {
  const runner = new JobRunner(ctx, { recurring: recurringJobs(), handlers: jobHandlers(), log });
  runner.start();
  return runner;
}
