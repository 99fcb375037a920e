import cluster from 'node:cluster';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { createApp } from './app.js';
import { REPO_ROOT, WEB_DIST, webAppsBuilt } from './http/web.js';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}

const started = Date.now();
const primary = cluster.isPrimary;
// one voice for start-up messages: the process itself, or the first worker
const speaks = primary || cluster.worker?.id === 1;
// `npm start` on a fresh checkout: build the web apps once (Vite is a dev dependency; without it
// the API still starts and the pages say how to build them).
if (primary && !webAppsBuilt()) {
  console.log(`[foodgrid] building the web apps into ${WEB_DIST} (first start only) …`);
  try {
    const vite = await import('vite');
    await vite.build({ configFile: path.join(REPO_ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: WEB_DIST } });
    console.log(`[foodgrid] web apps built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`[foodgrid] could not build the web apps (${(e as Error).message}); run \`npm run build:web\``);
  }
}

if (primary && config.workers > 1) {
  // N2: several server processes on one port and one PostgreSQL; migrations, start-up work and
  // each scheduled job occurrence are already safe across processes (advisory locks, job slots).
  let stopping = false;
  let listening = 0;
  const fork = () => cluster.fork();
  cluster.on('listening', () => {
    if (++listening === config.workers) {
      console.log(`[foodgrid] ready in ${((Date.now() - started) / 1000).toFixed(1)} s on http://localhost:${config.port} (PostgreSQL server, ${config.workers} workers${config.demo ? ', demo world' : ''})`);
    }
  });
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    console.error(`[foodgrid] worker ${worker.process.pid} stopped (${code}); starting another`);
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      let left = workers.length;
      if (!left) process.exit(0);
      for (const w of workers) {
        w?.once('exit', () => --left === 0 && process.exit(0));
        w?.process.kill('SIGTERM');
      }
    });
  }
} else {
  const { app, ctx, close } = await createApp(config, { logger: true, print: (m) => speaks && console.log(`[foodgrid] ${m}`) });
  await app.listen({ port: config.port, host: config.host });
  if (primary) {
    console.log(
      `[foodgrid] ready in ${((Date.now() - started) / 1000).toFixed(1)} s on http://localhost:${config.port} ` +
        `(${ctx.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'}${config.demo ? ', demo world' : ''})`,
    );
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, async () => {
      await close();
      process.exit(0);
    });
  }
}
