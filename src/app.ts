import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase } from './db/open.js';
import { migrate, withStartupLock } from './db/migrate.js';
import { buildServer, type BuildOptions } from './http/server.js';
import { ensureAdmin } from './modules/identity/bootstrap.js';
import { ensureDemoWorld } from './db/demo/load.js';
import { webApps } from './http/web.js';
import { startJobs } from './jobs/index.js';

export interface StartedApp {
  ctx: AppContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Opens the database, migrates, bootstraps and assembles the server (without listening). */
export async function createApp(config: Config, opts: BuildOptions & { print?: (m: string) => void } = {}): Promise<StartedApp> {
  const database = await openDatabase(config);
  await migrate(database, (m) => opts.print?.(m));
  const ctx: AppContext = { config, database, db: database.db, now: () => new Date() };
  await withStartupLock(database, async () => {
    await ensureAdmin(ctx, opts.print);
    // H5: the demo world (莆田市) is loaded once, on the first start in demo mode.
    if (config.demo) await ensureDemoWorld(ctx, opts.print);
  });
  // The web apps (console /, field app /m/, portal /p/) are served after the API routes.
  const app = await buildServer(ctx, { ...opts, extra: [...(opts.extra ?? []), webApps()] });
  // N2: this process's share of the scheduled jobs (each occurrence runs once across processes).
  const jobs = config.jobs
    ? startJobs(ctx, { info: (m, e) => app.log.info(e ?? {}, `[jobs] ${m}`), error: (m, e) => app.log.error(e ?? {}, `[jobs] ${m}`) })
    : null;
  return {
    ctx,
    app,
    async close() {
      await jobs?.stop();
      await app.close();
      await database.close();
    },
  };
}
