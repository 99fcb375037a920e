import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('platform', () => {
  it('When the database is up, then health is ok; when it is gone, then 503 with db down', async () => {
    const t = await createTestApp();
    try {
      const up = await t.api().get('/api/health');
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ status: 'ok', db: 'ok' });
      await t.database.close();
      const down = await t.api().get('/api/health');
      expect(down.status).toBe(503);
      expect(down.body.db).toBe('down');
    } finally {
      // closes the app and drops the test database (closing the closed handle again is harmless)
      await t.close();
    }
  });

  it('When the OpenAPI document is fetched, then it describes the core routes; the browsable page is served', async () => {
    const t = await createTestApp();
    try {
      const doc = await t.api().get('/api/docs/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      for (const p of ['/api/v1/auth/login', '/api/v1/users', '/api/v1/regions', '/api/v1/organizations', '/api/health']) {
        expect(Object.keys(doc.body.paths)).toContain(p);
      }
      expect(doc.body.paths['/api/v1/users'].post.requestBody).toBeTruthy();
      const page = await t.api().get('/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
    } finally {
      await t.close();
    }
  });

  it('When any answer goes out, then it carries the security headers: the CSP of the web apps, nosniff, same-origin framing', async () => {
    const t = await createTestApp();
    try {
      for (const r of [await t.api().get('/api/health'), await t.api().get('/api/v1/nothing-here'), await t.api().get('/api/v1/events')]) {
        expect(r.headers['content-security-policy']).toContain("default-src 'self'");
        expect(r.headers['content-security-policy']).toContain("img-src 'self' data: blob:");
        expect(r.headers['content-security-policy']).toContain("worker-src 'self' blob:");
        expect(r.headers['x-content-type-options']).toBe('nosniff');
        expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(r.headers['cross-origin-embedder-policy']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });

  it('When an unknown route or malformed JSON arrives, then the error shape of API.md comes back', async () => {
    const t = await createTestApp();
    try {
      const r = await t.api().get('/api/v1/nothing-here');
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('route_not_found');
      const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('invalid_json');
      const en = await t.api().post('/api/v1/auth/login', { username: 'x', password: 'y' }, { 'accept-language': 'en-US' });
      expect(en.body.error.message).toBe('Invalid username or password');
      const zh = await t.api().post('/api/v1/auth/login', { username: 'x', password: 'y' });
      expect(zh.body.error.message).toBe('用户名或密码错误');
    } finally {
      await t.close();
    }
  });

  it('When the environment has a bad value, then start-up fails naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' } as any)).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' } as any)).toThrow(/PORT/);
    expect(() => loadConfig({ FOODGRID_DEMO: 'maybe' } as any)).toThrow(/FOODGRID_DEMO/);
    expect(loadConfig({} as any).demo).toBe(true);
    // several server processes cannot share the embedded database
    expect(() => loadConfig({ FOODGRID_WORKERS: '2' } as any)).toThrow(/FOODGRID_WORKERS/);
    expect(loadConfig({ FOODGRID_WORKERS: '2', DATABASE_URL: 'postgres://db/x' } as any).workers).toBe(2);
    expect(() => loadConfig({ FOODGRID_WORKERS: '0', DATABASE_URL: 'postgres://db/x' } as any)).toThrow(/FOODGRID_WORKERS/);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@localhost/db' } as any).demo).toBe(false);
  });
});
