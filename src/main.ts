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
// `npm start` on a fresh checkout: build the web apps once (Vite is a dev dependency; without it
// the API still starts and the pages say how to build them).
if (!webAppsBuilt()) {
  console.log(`[foodgrid] building the web apps into ${WEB_DIST} (first start only) …`);
  try {
    const vite = await import('vite');
    await vite.build({ configFile: path.join(REPO_ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: WEB_DIST } });
    console.log(`[foodgrid] web apps built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`[foodgrid] could not build the web apps (${(e as Error).message}); run \`npm run build:web\``);
  }
}
const { app, ctx, close } = await createApp(config, { logger: true, print: (m) => console.log(`[foodgrid] ${m}`) });
await app.listen({ port: config.port, host: config.host });
console.log(
  `[foodgrid] ready in ${((Date.now() - started) / 1000).toFixed(1)} s on http://localhost:${config.port} ` +
    `(${ctx.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'}${config.demo ? ', demo world' : ''})`,
);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await close();
    process.exit(0);
  });
}
