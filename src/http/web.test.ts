import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openTestDatabase } from '../../test/helpers/app.js';
import { buildServer } from './server.js';
import { webApps } from './web.js';
import { newToken } from './auth.js';
import type { AppContext } from '../context.js';

/** Serving the built web apps next to the API (src/http/web.ts), on a small fake build. */
let dist: string;
let app: FastifyInstance;
let close: () => Promise<void>;
let db: AppContext['db'];

function put(rel: string, body: string) {
  const f = path.join(dist, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, body);
}

beforeAll(async () => {
  dist = mkdtempSync(path.join(os.tmpdir(), 'foodgrid-web-test-'));
  put('console/index.html', '<!doctype html><title>console</title>');
  put('mobile/index.html', '<!doctype html><title>mobile</title>');
  put('public/index.html', '<!doctype html><title>portal</title>');
  put('assets/console-abc123.js', 'console.log(1)');
  put('m/sw.js', 'self.addEventListener("fetch", () => {})');
  put('m/manifest.webmanifest', '{"name":"x"}');
  const { database, drop } = await openTestDatabase();
  await migrate(database);
  const config = loadConfig({ FOODGRID_DEMO: '0', FOODGRID_JOBS: '0', FOODGRID_DATA_DIR: '/tmp/foodgrid-test' } as any);
  db = database.db;
  app = await buildServer({ config, database, db: database.db, now: () => new Date() }, { extra: [webApps(dist)] });
  await app.ready();
  close = async () => {
    await app.close();
    await database.close();
    await drop();
  };
});

afterAll(async () => {
  await close?.();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('Web apps served by the server', () => {
  it('When a console path is opened, then the console index is sent and never cached', async () => {
    for (const url of ['/', '/events/42', '/admin/users?role=admin']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<title>console</title>');
      expect(r.headers['cache-control']).toBe('no-cache');
    }
  });

  it('When a field-app or portal path is opened, then that app’s index is sent; /m and /p redirect into their folder', async () => {
    expect((await get('/m/')).body).toContain('<title>mobile</title>');
    expect((await get('/m/tasks/7')).body).toContain('<title>mobile</title>');
    expect((await get('/p/report?business=abc')).body).toContain('<title>portal</title>');
    const m = await get('/m');
    expect(m.statusCode).toBe(302);
    expect(m.headers.location).toBe('/m/');
    expect((await get('/p?x=1')).headers.location).toBe('/p/?x=1');
  });

  it('When the service worker and manifest are asked for, then they come from the field app’s folder, uncached', async () => {
    const sw = await get('/m/sw.js');
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect((await get('/m/manifest.webmanifest')).body).toContain('"name"');
  });

  it('When a hashed asset is asked for, then it is cached for a year as immutable; a missing one is a JSON 404', async () => {
    const a = await get('/assets/console-abc123.js');
    expect(a.statusCode).toBe(200);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await get('/assets/nope.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('route_not_found');
  });

  it('When an API path does not exist, then the answer stays a JSON error, not a web page', async () => {
    const r = await get('/api/v1/nothing-here');
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.body).not.toContain('<title>');
    const o = await get('/open311/v2/nothing');
    expect(o.headers['content-type']).toMatch(/application\/json/);
  });

  it('When a path tries to leave the build folder or reach a source folder, then nothing outside the app files is sent', async () => {
    for (const url of ['/assets/..%2F..%2Fpackage.json', '/m/..%2F..%2Fpackage.json', '/console/index.html/../../package.json', '/x.png']) {
      const r = await get(url);
      expect(r.body, url).not.toContain('"dependencies"');
      expect([200, 404]).toContain(r.statusCode);
    }
  });

  it('When the browser holds an expired session cookie, then the pages still load (the app shows its sign-in) while the API says 401', async () => {
    const { token, hash } = newToken();
    const userId = '019b0000-0000-7000-8000-000000000001';
    await db.insertInto('users').values({ id: userId, username: 'web_idle', display_name: '闲置', role: 'admin', password_hash: 'x' } as any).execute();
    const long = new Date(Date.now() - 24 * 3600_000);
    await db.insertInto('sessions').values({ token_hash: hash, user_id: userId, created_at: long, last_seen_at: long, expires_at: new Date(Date.now() + 3600_000) } as any).execute();
    const api = await get('/api/v1/me', { cookie: `fg_session=${token}` });
    expect(api.statusCode).toBe(401);
    // The same kind of cookie on a page (a fresh expired session: the first request deleted it).
    const { token: t2, hash: h2 } = newToken();
    await db.insertInto('sessions').values({ token_hash: h2, user_id: userId, created_at: long, last_seen_at: long, expires_at: new Date(Date.now() + 3600_000) } as any).execute();
    const r = await get('/events', { cookie: `fg_session=${t2}` });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<title>console</title>');
  });
});
