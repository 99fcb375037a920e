import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld, user, type SmallWorld } from '../../../test/helpers/world.js';
import { hashToken } from '../../http/auth.js';
import { findSessionActors } from './store.js';

let t: TestApp;
let w: SmallWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
});
afterAll(async () => t?.close());

describe('sign-in', () => {
  it('When the password is right, then a token and an httpOnly cookie both authenticate', async () => {
    const r = await t.api().post('/api/v1/auth/login', { username: 'w_station_a1', password: TEST_PASSWORD });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'w_station_a1', role: 'station_staff' });
    expect(r.body.user.phone).toBe('138****8000');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/fg_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    const byToken = await t.api(r.body.token).get('/api/v1/me');
    expect(byToken.status).toBe(200);
    expect(byToken.body.username).toBe('w_station_a1');
    const sessionCookie = cookie.split(';')[0];
    const byCookie = await t.api().get('/api/v1/me', { cookie: sessionCookie });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.id).toBe(w.users.stationA1.id);
  });

  it('When the user is unknown or the password wrong, then both get the same 401', async () => {
    const a = await t.api().post('/api/v1/auth/login', { username: 'nobody', password: 'x' });
    const b = await t.api().post('/api/v1/auth/login', { username: 'w_station_a2', password: 'wrong' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error.code).toBe('invalid_credentials');
    expect(b.body.error).toEqual(a.body.error);
  });

  it('When a field is missing, then 400 names it', async () => {
    const r = await t.api().post('/api/v1/auth/login', { username: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('password');
  });

  it('When five sign-ins fail in a row, then the account is locked (423) even for the right password', async () => {
    await user(t.ctx.db, 'lock_me', 'grid_member', { region: w.regions.gA1 });
    for (let i = 0; i < 4; i++) expect((await t.api().post('/api/v1/auth/login', { username: 'lock_me', password: 'bad' })).status).toBe(401);
    const fifth = await t.api().post('/api/v1/auth/login', { username: 'lock_me', password: 'bad' });
    expect(fifth.status).toBe(423);
    expect(fifth.body.error.code).toBe('account_locked');
    const right = await t.api().post('/api/v1/auth/login', { username: 'lock_me', password: TEST_PASSWORD });
    expect(right.status).toBe(423);
    // ten minutes later it opens again
    await t.ctx.db.updateTable('users').set({ locked_until: new Date(Date.now() - 1000) }).where('username', '=', 'lock_me').execute();
    expect((await t.api().post('/api/v1/auth/login', { username: 'lock_me', password: TEST_PASSWORD })).status).toBe(200);
  });

  it('When four failures are followed by a success, then the counter starts again', async () => {
    await user(t.ctx.db, 'reset_me', 'grid_member', { region: w.regions.gA1 });
    for (let i = 0; i < 4; i++) await t.api().post('/api/v1/auth/login', { username: 'reset_me', password: 'bad' });
    expect((await t.api().post('/api/v1/auth/login', { username: 'reset_me', password: TEST_PASSWORD })).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await t.api().post('/api/v1/auth/login', { username: 'reset_me', password: 'bad' })).status).toBe(401);
  });

  it('When a session is idle longer than the timeout, then it is refused with session_expired', async () => {
    const token = await t.login('w_grid_a1');
    await t.ctx.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).where('user_id', '=', w.users.gridMemberA1.id).execute();
    const r = await t.api(token).get('/api/v1/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('session_expired');
  });

  it('When a session is used, then it is touched only when last seen more than 30 s ago, so a user active every few minutes never times out', async () => {
    const token = await t.login('w_station_a1');
    const th = hashToken(token);
    const seen = async () =>
      new Date((await t.ctx.db.selectFrom('sessions').select('last_seen_at').where('token_hash', '=', th).executeTakeFirstOrThrow()).last_seen_at).getTime();
    const set = (msAgo: number) => t.ctx.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - msAgo) }).where('token_hash', '=', th).execute();
    await set(10_000);
    const recent = await seen();
    expect((await t.api(token).get('/api/v1/me')).status).toBe(200);
    expect(await seen()).toBe(recent);
    // 29 minutes without a request: still signed in, and the clock restarts
    await set(29 * 60_000);
    const t0 = Date.now();
    expect((await t.api(token).get('/api/v1/me')).status).toBe(200);
    expect(await seen()).toBeGreaterThanOrEqual(t0 - 1000);
    await set(29 * 60_000);
    expect((await t.api(token).get('/api/v1/me')).status).toBe(200);
  });

  it('When several requests look up sessions together, then one statement answers each in order, touching only the stale ones (N3)', async () => {
    const tokens = [await t.login('w_station_a1'), await t.login('w_grid_a1')];
    const [a, b] = tokens.map(hashToken);
    await t.ctx.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 5 * 60_000) }).where('token_hash', '=', a).execute();
    const recentB = new Date(Date.now() - 5_000);
    await t.ctx.db.updateTable('sessions').set({ last_seen_at: recentB }).where('token_hash', '=', b).execute();
    const now = new Date();
    const cut = new Date(now.getTime() - 30_000);
    const rows = await findSessionActors(t.ctx.db, [
      { tokenHash: a, now, touchBefore: cut },
      { tokenHash: 'f'.repeat(64), now, touchBefore: cut },
      { tokenHash: b, now, touchBefore: cut },
      { tokenHash: a, now, touchBefore: cut },
    ]);
    expect(rows.map((r) => r?.username ?? null)).toEqual(['w_station_a1', null, 'w_grid_a1', 'w_station_a1']);
    // the times as they were before this lookup
    expect(new Date(rows[2]!.last_seen_at).getTime()).toBe(recentB.getTime());
    const seen = async (th: string) =>
      new Date((await t.ctx.db.selectFrom('sessions').select('last_seen_at').where('token_hash', '=', th).executeTakeFirstOrThrow()).last_seen_at).getTime();
    expect(await seen(a)).toBe(now.getTime());
    expect(await seen(b)).toBe(recentB.getTime());
    // and requests at once all get their own user
    const me = await Promise.all([0, 1, 1, 0, 1, 0].map((i) => t.api(tokens[i]).get('/api/v1/me')));
    expect(me.map((r) => r.body.username)).toEqual(['w_station_a1', 'w_grid_a1', 'w_grid_a1', 'w_station_a1', 'w_grid_a1', 'w_station_a1']);
  });

  it('When signed out, then the token no longer works', async () => {
    const token = await t.login('w_grid_b1');
    expect((await t.api(token).post('/api/v1/auth/logout')).status).toBe(200);
    expect((await t.api(token).get('/api/v1/me')).status).toBe(401);
  });

  it('When no token is given, then API routes answer 401', async () => {
    const r = await t.api().get('/api/v1/regions');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
  });
});

describe('initial passwords', () => {
  it('When an admin creates a user outside demo mode, then the user must change the password before anything else', async () => {
    const admin = await t.login('w_admin');
    const created = await t.api(admin).post('/api/v1/users', {
      username: 'new_station',
      password: 'Init-Pass-2026',
      displayName: '新所员',
      role: 'station_staff',
      regionId: String(w.regions.tA1.id),
      phone: '13912345678',
    });
    expect(created.status).toBe(201);
    expect(created.body.phone).toBe('139****5678');
    expect(created.body.mustChangePassword).toBe(true);
    const tok = await t.login('new_station', 'Init-Pass-2026');
    const blocked = await t.api(tok).get('/api/v1/regions');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('password_change_required');
    const weak = await t.api(tok).post('/api/v1/auth/password', { currentPassword: 'Init-Pass-2026', newPassword: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.field).toBe('newPassword');
    const ok = await t.api(tok).post('/api/v1/auth/password', { currentPassword: 'Init-Pass-2026', newPassword: 'Better-Pass-2026!' });
    expect(ok.status).toBe(200);
    expect((await t.api(tok).get('/api/v1/regions')).status).toBe(200);
  });

  it('When the new user’s password is weak, then creation is refused naming the field and nothing is written', async () => {
    const admin = await t.login('w_admin');
    const r = await t.api(admin).post('/api/v1/users', { username: 'weak_one', password: 'abc', displayName: 'x', role: 'grid_member', regionId: String(w.regions.gA1.id) });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('password');
    const row = await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'weak_one').executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('When a non-admin creates a user, then 403', async () => {
    const tok = await t.login('w_station_a1');
    const r = await t.api(tok).post('/api/v1/users', { username: 'sneaky', password: 'Init-Pass-2026', displayName: 'x', role: 'admin' });
    expect(r.status).toBe(403);
  });
});

describe('user list export (X4, I5)', () => {
  it('When a station exports users, then the .xlsx holds exactly its jurisdiction with masked phones', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const tok = await t.login('w_station_a1');
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/export.xlsx', headers: { authorization: `Bearer ${tok}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as any);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe('用户名');
    const names: string[] = [];
    ws.eachRow((row, i) => {
      if (i > 1) names.push(String(row.getCell(1).value));
    });
    expect(names).toContain('w_grid_a1');
    expect(names).not.toContain('w_grid_b1');
    ws.eachRow((row, i) => {
      if (i > 1 && row.getCell(6).value) expect(String(row.getCell(6).value)).toMatch(/\*{4}/);
    });
  });
});
