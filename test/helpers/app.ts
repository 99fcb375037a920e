import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { openPglite, openPostgres, type Database } from '../../src/db/connection.js';
import { migrate } from '../../src/db/migrate.js';
import { buildServer } from '../../src/http/server.js';

/**
 * A real server on a real database for integration tests: an in-memory PGlite by default, a
 * fresh database on the PostgreSQL server when TEST_DATABASE_URL is set (dropped afterwards).
 */
export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  database: Database;
  /** Requests as a signed-in user (token) or anonymously. */
  api(token?: string): Api;
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Record<string, any>;
}

export interface Api {
  get<T = any>(url: string, headers?: Record<string, string>): Promise<Res<T>>;
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  put<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  patch<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  delete<T = any>(url: string, headers?: Record<string, string>): Promise<Res<T>>;
}

export const TEST_PASSWORD = 'Test-Passw0rd!';

export const usingPostgres = () => !!process.env.TEST_DATABASE_URL;

export async function openTestDatabase(): Promise<{ database: Database; drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openPglite();
    return { database, drop: async () => {} };
  }
  const name = `fg_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openPostgres(u.toString(), 10);
  return {
    database,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const { database, drop } = await openTestDatabase();
  await migrate(database);
  const config: Config = { ...loadConfig({ FOODGRID_DEMO: '0', FOODGRID_JOBS: '0', FOODGRID_DATA_DIR: '/tmp/foodgrid-test' } as any), ...overrides };
  const ctx: AppContext = { config, database, db: database.db, now: () => new Date() };
  const app = await buildServer(ctx);
  await app.ready();

  const call = (token?: string) => {
    const req = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await app.inject({
        method: method as any,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body !== undefined ? { payload: body as any } : {}),
      });
      let parsed: any = res.body;
      if ((res.headers['content-type'] ?? '').toString().includes('application/json')) {
        try {
          parsed = res.json();
        } catch {
          /* keep text */
        }
      }
      return { status: res.statusCode, body: parsed, headers: res.headers as any };
    };
    const api: Api = {
      get: (url, h) => req('GET', url, undefined, h),
      post: (url, b, h) => req('POST', url, b ?? {}, h),
      put: (url, b, h) => req('PUT', url, b ?? {}, h),
      patch: (url, b, h) => req('PATCH', url, b ?? {}, h),
      delete: (url, h) => req('DELETE', url, undefined, h),
    };
    return api;
  };

  return {
    app,
    ctx,
    database,
    api: call,
    async login(username, password = TEST_PASSWORD) {
      const r = await call().post('/api/v1/auth/login', { username, password });
      if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    },
    async close() {
      await app.close();
      await database.close();
      await drop();
    },
  };
}
