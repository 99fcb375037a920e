import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld, type SmallWorld } from '../../../test/helpers/world.js';
import { multipart } from '../files/test-support.js';

let t: TestApp;
let w: SmallWorld;
let businessId: string;
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-public-'));

async function closeEvent(eventId: string, at: Date, opts: { result?: string; feedback?: string } = {}) {
  // Test set-up: the handling ended (the events module's actions are tested there).
  const db = t.ctx.db;
  const { n } = await db.selectFrom('event_history').select((eb) => eb.fn.max('seq').as('n')).where('event_id', '=', eventId).executeTakeFirstOrThrow();
  await db
    .updateTable('events')
    .set({ state: 'closed', closed_at: at, updated_at: at, result: opts.result ?? '已责令整改，复查合格', feedback: opts.feedback ?? '感谢您的举报，问题已整改' })
    .where('id', '=', eventId)
    .execute();
  await db
    .insertInto('event_history')
    .values({ event_id: eventId, seq: Number(n) + 1, type: 'close', actor_id: w.users.villageA1.id, actor_role: 'village_coordinator', note: '内部备注：王五核查', public_note: '已办结', at })
    .execute();
}

const report = (body: Record<string, unknown>, headers: Record<string, string> = {}) => t.api().post('/api/v1/public/reports', body, headers);

beforeAll(async () => {
  t = await createTestApp({ uploadDir, publicRateLimit: 1000 });
  w = await smallWorld(t.ctx.db);
  businessId = uuidv7();
  await t.ctx.db
    .insertInto('businesses')
    .values({
      id: businessId,
      name: '老街小吃店',
      type: 'catering',
      region_id: w.regions.uA1.id,
      region_path: w.regions.uA1.path,
      address: '甲一社区老街12号',
      lat: 25.43,
      lng: 119.01,
      grade: 'D',
      grade_computed: 'D',
      contact_phone: '13900001111',
    })
    .execute();
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

describe('public reports', () => {
  it('When someone reports without an account, then a tracking code comes back and the event reaches the village coordinator', async () => {
    const r = await report({ title: '后厨有老鼠', description: '晚上看到后厨有老鼠跑过', businessId, contactPhone: '13712345678' });
    expect(r.status).toBe(201);
    expect(r.body.trackingCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/);
    expect(Object.keys(r.body)).toEqual(['trackingCode']);
    const ev = await t.ctx.db.selectFrom('events').selectAll().where('tracking_code', '=', r.body.trackingCode).executeTakeFirstOrThrow();
    expect(ev).toMatchObject({ channel: 'public_report', business_id: businessId, reporter_phone: '13712345678', reporter_anonymous: false, tier: 'village' });
    expect(ev.collector_id).toBeNull();
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'public.report').where('entity_id', '=', ev.id).execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].detail)).not.toContain('13712345678');
  });

  it('When the report is anonymous, then no phone is kept even if one was typed', async () => {
    const r = await report({ title: '过期面包', description: '货架上有过期面包在卖', regionId: String(w.regions.vA1.id), anonymous: true, contactPhone: '13712345678' });
    expect(r.status).toBe(201);
    const ev = await t.ctx.db.selectFrom('events').selectAll().where('tracking_code', '=', r.body.trackingCode).executeTakeFirstOrThrow();
    expect(ev.reporter_phone).toBeNull();
    expect(ev.reporter_anonymous).toBe(true);
  });

  it('When neither a business nor a region is given, or a field is bad, then 4xx names the field and nothing is created', async () => {
    const before = await t.ctx.db.selectFrom('events').select('id').execute();
    const a = await report({ title: '问题', description: '描述一下' });
    expect(a.status).toBe(422);
    expect(a.body.error.field).toBe('regionId');
    const b = await report({ title: '', description: '描述一下', businessId });
    expect(b.status).toBe(400);
    expect(b.body.error.field).toBe('title');
    const c = await report({ title: '问题', description: '描述一下', businessId: uuidv7() });
    expect(c.status).toBe(422);
    expect(c.body.error.field).toBe('businessId');
    const d = await report({ title: '问题', description: '描述一下', businessId, categoryCode: 'NOPE99' });
    expect(d.status).toBe(422);
    expect(d.body.error.field).toBe('categoryCode');
    expect(await t.ctx.db.selectFrom('events').select('id').execute()).toHaveLength(before.length);
  });

  it('When the browser retries with the same Idempotency-Key, then the same tracking code comes back and one event exists', async () => {
    const body = { title: '重复提交测试', description: '网络不好重试了一次', regionId: String(w.regions.vA1.id), anonymous: true };
    const a = await report(body, { 'idempotency-key': 'k-public-1' });
    const b = await report(body, { 'idempotency-key': 'k-public-1' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.trackingCode).toBe(a.body.trackingCode);
    expect(await t.ctx.db.selectFrom('events').select('id').where('title', '=', '重复提交测试').execute()).toHaveLength(1);
  });

  it('When a reporter uploads photos first, then they are cleaned and attached to the report’s first history step', async () => {
    const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } })
      .jpeg()
      .withMetadata({ exif: { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '25/1 0/1 0/1' } } })
      .toBuffer();
    const mp = multipart([{ name: 'file', filename: 'p.jpg', data: photo }]);
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/public/files', payload: mp.body, headers: mp.headers });
    expect(up.statusCode).toBe(201);
    const fileId = up.json().id;
    // The same route the staff use also takes an anonymous photo (the portal uses it).
    const mp2 = multipart([{ name: 'file', filename: 'q.jpg', data: photo }]);
    const up2 = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: mp2.body, headers: mp2.headers });
    expect(up2.statusCode).toBe(201);

    const r = await report({ title: '带照片的举报', description: '见照片', businessId, photos: [fileId], attachmentIds: [up2.json().id] });
    expect(r.status).toBe(201);
    const ev = await t.ctx.db.selectFrom('events').select('id').where('tracking_code', '=', r.body.trackingCode).executeTakeFirstOrThrow();
    const files = await t.ctx.db.selectFrom('files').selectAll().where('event_id', '=', ev.id).execute();
    expect(files.map((f) => f.id).sort()).toEqual([fileId, up2.json().id].sort());
    expect(files.every((f) => f.history_seq === 1 && f.public_upload)).toBe(true);
    const stored = fs.readFileSync(path.join(uploadDir, files[0].storage_key));
    expect((await sharp(stored).metadata()).exif).toBeUndefined();
    // The station staff of the place can see them; the public cannot download by id.
    const station = await t.login('w_station_a1');
    expect((await t.api(station).get(`/api/v1/files/${fileId}`)).status).toBe(200);
    expect((await t.api().get(`/api/v1/files/${fileId}`)).status).toBe(401);
  });

  it('When the public tries to upload a video or a file someone else uploaded, then it is refused', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypisom'), Buffer.alloc(4), Buffer.from([0, 0, 0, 8]), Buffer.from('mdat')]);
    const mp = multipart([{ name: 'file', filename: 'v.mp4', data: mp4 }]);
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/public/files', payload: mp.body, headers: mp.headers });
    expect(up.statusCode).toBe(422);
    expect(up.json().error.field).toBe('file');
    // A staff member's pre-upload cannot be claimed by a public report.
    const staff = await t.login('w_grid_a1');
    const photo = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } }).png().toBuffer();
    const mp2 = multipart([{ name: 'file', filename: 's.png', data: photo }]);
    const staffUp = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: mp2.body, headers: { ...mp2.headers, authorization: `Bearer ${staff}` } });
    expect(staffUp.statusCode).toBe(201);
    const r = await report({ title: '冒用附件', description: '测试', businessId, photos: [staffUp.json().id] });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('photos');
  });
});

describe('status page, rating and reopen', () => {
  it('When the reporter looks up the code, then the page shows state, public steps and result — no staff names, ids or phone', async () => {
    const r = await report({ title: '餐具不消毒', description: '碗筷有油渍', businessId, contactPhone: '13700000001' });
    const code = r.body.trackingCode;
    const ev = await t.ctx.db.selectFrom('events').select('id').where('tracking_code', '=', code).executeTakeFirstOrThrow();

    const open = await t.api().get(`/api/v1/public/reports/${code.toLowerCase()}`);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ trackingCode: code, title: '餐具不消毒', state: 'open', canRate: false, canReopen: false });
    expect(open.body.business).toMatchObject({ name: '老街小吃店' });
    expect(open.body.history.length).toBeGreaterThan(0);

    await closeEvent(ev.id, new Date());
    const s = await t.api().get(`/api/v1/public/reports/${code}`);
    expect(s.body).toMatchObject({ state: 'closed', result: '已责令整改，复查合格', feedback: '感谢您的举报，问题已整改', canRate: true, canReopen: true });
    expect(s.body.history.at(-1)).toMatchObject({ type: 'close', label: '已办结' });
    const text = JSON.stringify(s.body);
    for (const secret of ['w_village_a1', w.users.villageA1.id, '王五', '13700000001', '1370', 'actorId', 'actor_id', 'note"', ev.id]) {
      expect(text).not.toContain(secret);
    }
  });

  it('When an unknown or malformed code is looked up, then 404', async () => {
    expect((await t.api().get('/api/v1/public/reports/ABCDEFGHJK')).status).toBe(404);
    expect((await t.api().get('/api/v1/public/reports/not-a-code')).status).toBe(404);
  });

  it('When the reporter rates a closed report, then the rating is kept, the holder is told, and a second rating is refused', async () => {
    const r = await report({ title: '饭菜有异物', description: '吃出头发', businessId });
    const code = r.body.trackingCode;
    const ev = await t.ctx.db.selectFrom('events').selectAll().where('tracking_code', '=', code).executeTakeFirstOrThrow();
    const early = await t.api().post(`/api/v1/public/reports/${code}/rating`, { score: 5 });
    expect(early.status).toBe(409);
    await closeEvent(ev.id, new Date());

    const rated = await t.api().post(`/api/v1/public/reports/${code}/rating`, { score: 4, comment: '处理及时' });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ rating: 4, ratingComment: '处理及时', canRate: false, state: 'closed' });
    const row = await t.ctx.db.selectFrom('events').select(['rating', 'rating_comment']).where('id', '=', ev.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ rating: 4, rating_comment: '处理及时' });
    // The village platform centre holds it: its coordinator is told.
    const n = await t.ctx.db.selectFrom('notifications').select(['user_id']).where('event_id', '=', ev.id).where('kind', '=', 'event.rated').execute();
    expect(n.map((x) => x.user_id)).toContain(w.users.villageA1.id);
    const again = await t.api().post(`/api/v1/public/reports/${code}/rating`, { score: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_rated');
    const bad = await t.api().post(`/api/v1/public/reports/${code}/rating`, { score: 6 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('score');
  });

  it('When the reporter asks to reopen within the window, then the report goes back to handling; after the window it is refused', async () => {
    const late = await report({ title: '旧问题', description: '很久以前办结的', businessId: undefined, regionId: String(w.regions.vA1.id) });
    const lateEv = await t.ctx.db.selectFrom('events').select('id').where('tracking_code', '=', late.body.trackingCode).executeTakeFirstOrThrow();
    await closeEvent(lateEv.id, new Date(Date.now() - 31 * 86_400_000));
    const page = await t.api().get(`/api/v1/public/reports/${late.body.trackingCode}`);
    expect(page.body).toMatchObject({ canRate: true, canReopen: false });
    const refused = await t.api().post(`/api/v1/public/reports/${late.body.trackingCode}/rating`, { score: 2, reopen: true });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'reopen_window_passed', field: 'reopen' });
    expect((await t.ctx.db.selectFrom('events').select('rating').where('id', '=', lateEv.id).executeTakeFirstOrThrow()).rating).toBeNull();

    const r = await report({ title: '整改不到位', description: '又发现同样问题', regionId: String(w.regions.vA1.id) });
    const code = r.body.trackingCode;
    const ev = await t.ctx.db.selectFrom('events').select('id').where('tracking_code', '=', code).executeTakeFirstOrThrow();
    await closeEvent(ev.id, new Date(Date.now() - 2 * 86_400_000));
    const res = await t.api().post(`/api/v1/public/reports/${code}/rating`, { score: 1, comment: '没有整改', reopen: true });
    expect(res.status).toBe(200);
    const types = (await t.ctx.db.selectFrom('event_history').select('type').where('event_id', '=', ev.id).orderBy('seq').execute()).map((h) => h.type);
    expect(types).toContain('public_rating');
    expect(types.some((x) => x === 'reopen' || x === 'reopen_requested')).toBe(true);
    expect(res.body.history.some((h: any) => h.type === 'reopen' || h.type === 'reopen_requested')).toBe(true);
  });
});

describe('duplicates', () => {
  it('When a second report on the same business and category is merged, then its page follows the original’s handling and can be rated but not reopened alone', async () => {
    const cat = (await t.api().get('/api/v1/public/catalogue')).body.items.find((c: any) => c.items.length)?.items[0]?.code ?? 'HYG';
    const first = await report({ title: '地面油污', description: '后厨地面很滑', businessId, categoryCode: cat });
    const second = await report({ title: '地面油污严重', description: '我也看到了', businessId, categoryCode: cat });
    expect(second.status).toBe(201);
    expect(second.body.trackingCode).not.toBe(first.body.trackingCode);
    const ev1 = await t.ctx.db.selectFrom('events').select(['id']).where('tracking_code', '=', first.body.trackingCode).executeTakeFirstOrThrow();
    const ev2 = await t.ctx.db.selectFrom('events').select(['state', 'merged_into']).where('tracking_code', '=', second.body.trackingCode).executeTakeFirstOrThrow();
    expect(ev2).toEqual({ state: 'merged', merged_into: ev1.id });

    const before = await t.api().get(`/api/v1/public/reports/${second.body.trackingCode}`);
    expect(before.body).toMatchObject({ state: 'open', title: '地面油污严重', canRate: false });

    await closeEvent(ev1.id, new Date(), { result: '已清理并规范后厨', feedback: '已整改' });
    const after = await t.api().get(`/api/v1/public/reports/${second.body.trackingCode}`);
    expect(after.body).toMatchObject({ state: 'closed', result: '已清理并规范后厨', canRate: true, canReopen: false });
    expect(after.body.history.some((h: any) => h.type === 'close')).toBe(true);
    const reopen = await t.api().post(`/api/v1/public/reports/${second.body.trackingCode}/rating`, { score: 2, reopen: true });
    expect(reopen.status).toBe(422);
    expect(reopen.body.error.field).toBe('reopen');
    const rate = await t.api().post(`/api/v1/public/reports/${second.body.trackingCode}/rating`, { score: 5 });
    expect(rate.status).toBe(200);
    expect(rate.body).toMatchObject({ rating: 5, canRate: false });
  });
});

describe('public reference data', () => {
  it('When the QR form asks for a business, then only its public card is returned', async () => {
    const r = await t.api().get(`/api/v1/public/businesses/${businessId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: businessId, name: '老街小吃店', address: '甲一社区老街12号', type: 'catering', typeLabel: '餐饮服务' });
    expect(JSON.stringify(r.body)).not.toContain('13900001111');
    expect((await t.api().get(`/api/v1/public/businesses/${uuidv7()}`)).status).toBe(404);
    const qr = await t.api().get(`/api/v1/public/businesses/${businessId}/qrcode.svg`);
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toContain('image/svg+xml');
    expect(String(qr.body)).toContain('<svg');
  });

  it('When the form loads categories and regions, then it gets the catalogue and the tree down to villages only', async () => {
    const c = await t.api().get('/api/v1/public/catalogue');
    expect(c.status).toBe(200);
    expect(c.body.items.length).toBeGreaterThan(0);
    expect(c.body.items[0]).toHaveProperty('code');
    const roots = await t.api().get('/api/v1/public/regions');
    expect(roots.body.items.map((x: any) => x.id)).toContain(String(w.regions.city.id));
    const villages = await t.api().get(`/api/v1/public/regions?parentId=${w.regions.tA1.id}`);
    expect(villages.body.items).toEqual([{ id: String(w.regions.vA1.id), name: '甲一社区', level: 'village' }]);
    const grids = await t.api().get(`/api/v1/public/regions?parentId=${w.regions.vA1.id}`);
    expect(grids.body.items).toEqual([]);
  });
});

describe('rate limit', () => {
  it('When one client sends more reports than the per-minute limit, then 429', async () => {
    const small = await createTestApp({ uploadDir, publicRateLimit: 2 });
    try {
      const body = { title: '限流测试', description: '测试', regionId: '999999' };
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await small.api().post('/api/v1/public/reports', body)).status);
      expect(codes.slice(0, 2).every((s) => s !== 429)).toBe(true);
      expect(codes[2]).toBe(429);
      const last = await small.api().post('/api/v1/public/reports', body);
      expect(last.body.error.code).toBe('rate_limited');
    } finally {
      await small.close();
    }
  });
});
