import { ConfigError, loadConfig } from './config.js';
import { createApp } from './app.js';

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
