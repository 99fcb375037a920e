import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The demo world's one password for every account (src/db/demo/accounts.ts, README). */
export { DEMO_PASSWORD } from '../../../src/db/demo/accounts.js';

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  /** `postgres` when the story runs on a fresh database of the TEST_DATABASE_URL server. */
  database: 'embedded' | 'postgres';
  /** Everything the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One statement on its own connection (CREATE/DROP DATABASE cannot run inside a pool's transaction). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * The real product as `npm start` runs it (tsx src/main.ts) with the demo world and no background
 * jobs: on the embedded database in a fresh temp directory, or, when TEST_DATABASE_URL is set
 * (`npm test`'s second pass, CI), on a fresh database of that PostgreSQL server, dropped by
 * `stop()`. Resolves once `/api/health` answers 200.
 */
export async function startServer(env: Record<string, string> = {}, timeoutMs = 240_000): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'foodgrid-e2e-'));
  let out = '';
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    FOODGRID_DATA_DIR: path.join(dataDir, 'data'),
    FOODGRID_DEMO: '1',
    FOODGRID_JOBS: '0',
    FOODGRID_LOG_LEVEL: 'warn',
    ...env,
  };
  // The database is the test run's choice (or the story's), never the shell's DATABASE_URL.
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  if (!env.FOODGRID_ADMIN_PASSWORD) delete childEnv.FOODGRID_ADMIN_PASSWORD;
  const server = env.DATABASE_URL ? undefined : process.env.TEST_DATABASE_URL;
  let dropDatabase: (() => Promise<void>) | null = null;
  if (server) {
    const name = `fg_e2e_${randomBytes(6).toString('hex')}`;
    await adminQuery(server, `CREATE DATABASE ${name}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    childEnv.DATABASE_URL = u.toString();
    dropDatabase = () => adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'src/main.ts'], {
    cwd: REPO,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  if (!childEnv.FOODGRID_WEB_DIST) console.warn('FOODGRID_WEB_DIST unset: the server serves the shared dist/web');
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase?.();
  };
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited) {
      await stop();
      throw new Error(`server exited before it was ready:\n${out}`);
    }
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.status === 200) return { url, port, dataDir, database: server ? 'postgres' : 'embedded', output: () => out, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`server not ready after ${timeoutMs} ms:\n${out}`);
}
