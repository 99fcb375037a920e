import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { DEADLINE_TIERS } from '../domain/deadlines.js';
import { actorOf } from '../http/auth.js';
import { loadDeadlineSettings, saveDeadlineSettings } from './deadline-settings.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const settingsSchema = z.object({
  workingDays: z.record(z.string(), z.number()).describe(`Working days per tier (${DEADLINE_TIERS.join(', ')}); 0 = no limit`),
  reminderWorkingDays: z.number(),
  autoEscalate: z.boolean(),
  extraHolidays: z.array(z.string()),
  extraWorkdays: z.array(z.string()),
});

/** E10 deadline settings and the N2 job status page. */
export function jobRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/settings/deadlines',
      { schema: { tags: ['settings'], summary: '办理时限设置 Deadline settings per tier (E10)', response: { 200: settingsSchema } } },
      async () => loadDeadlineSettings(ctx.db),
    );
    app.put(
      '/api/v1/settings/deadlines',
      {
        config: { permission: 'settings.write' },
        schema: {
          tags: ['settings'],
          summary: '修改办理时限 Edit deadline settings (admin); omitted keys keep their value',
          body: z
            .object({
              workingDays: z.partialRecord(z.enum(DEADLINE_TIERS), z.number().int().min(0).max(365)).optional(),
              reminderWorkingDays: z.number().int().min(0).max(30).optional(),
              autoEscalate: z.boolean().optional(),
              extraHolidays: z.array(day).max(400).optional(),
              extraWorkdays: z.array(day).max(400).optional(),
            })
            .strict(),
          response: { 200: settingsSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return ctx.db.transaction().execute((trx) => saveDeadlineSettings(trx, actor, req.body, req.ip));
      },
    );
    app.get(
      '/api/v1/jobs',
      {
        config: { permission: 'settings.write' },
        schema: { tags: ['settings'], summary: '定时任务状态 Scheduled jobs: last run of each, pending and failed one-off jobs (N2)' },
      },
      async () => {
        const recurring = (
          await sql<{ name: string; slot: Date; runner: string; status: string; finished_at: Date | null; error: string | null; runs_24h: number; failed_24h: number }>`
            SELECT DISTINCT ON (r.name) r.name, r.slot, r.runner, r.status, r.finished_at, r.error,
              (SELECT count(*)::int FROM job_runs x WHERE x.name = r.name AND x.slot > now() - interval '1 day') AS runs_24h,
              (SELECT count(*)::int FROM job_runs x WHERE x.name = r.name AND x.slot > now() - interval '1 day' AND x.status = 'failed') AS failed_24h
            FROM job_runs r ORDER BY r.name, r.slot DESC`.execute(ctx.db)
        ).rows;
        const oneOff = (
          await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM jobs GROUP BY status`.execute(ctx.db)
        ).rows;
        return {
          recurring: recurring.map((r) => ({
            name: r.name,
            lastSlot: new Date(r.slot).toISOString(),
            runner: r.runner,
            status: r.status,
            finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
            error: r.error,
            runs24h: r.runs_24h,
            failed24h: r.failed_24h,
          })),
          oneOff: Object.fromEntries(oneOff.map((r) => [r.status, r.n])),
        };
      },
    );
  };
}
