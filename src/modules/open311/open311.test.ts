import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { organization, smallWorld, user, type SmallWorld } from '../../../test/helpers/world.js';

let t: TestApp;
let w: SmallWorld;
let businessId: string;

const form = (fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: '/open311/v2/requests.json',
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

beforeAll(async () => {
  t = await createTestApp({ publicRateLimit: 1000 });
  w = await smallWorld(t.ctx.db);
  // 乙一村 gets its platform centre, the first handler of public reports there (E2).
  const platformB1 = await organization(t.ctx.db, 'platform_center', '乙一村平台中心', w.regions.vB1);
  await user(t.ctx.db, 'o311_village_b1', 'village_coordinator', { region: w.regions.vB1, organizationId: platformB1.id });
  businessId = uuidv7();
  await t.ctx.db
    .insertInto('businesses')
    .values({
      id: businessId,
      name: '乙一村农家饭店',
      type: 'catering',
      region_id: w.regions.uB1.id,
      region_path: w.regions.uB1.path,
      address: '乙一村村口',
      lat: 25.5,
      lng: 118.9,
      grade: 'D',
      grade_computed: 'D',
      contact_phone: '13900002222',
    })
    .execute();
});
afterAll(async () => t?.close());

describe('Open311 GeoReport v2', () => {
  it('When a client lists services, then each has the GeoReport fields', async () => {
    const r = await t.api().get('/open311/v2/services.json');
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
    for (const s of r.body) {
      expect(s).toEqual(
        expect.objectContaining({ service_code: expect.any(String), service_name: expect.any(String), metadata: false, type: 'realtime', group: expect.any(String) }),
      );
    }
  });

  it('When a form-encoded request is posted, then it becomes a public report and reads back by id and in the list, with no personal data', async () => {
    const service = (await t.api().get('/open311/v2/services.json')).body[0];
    const post = await form({
      service_code: service.service_code,
      description: '饭店门口的凉菜没有防蝇措施',
      lat: '25.5001',
      long: '118.9001',
      phone: '13811112222',
      first_name: '李',
      last_name: '四',
      email: 'li4@example.com',
    });
    expect(post.statusCode).toBe(201);
    const [created] = post.json();
    expect(created.service_request_id).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/);

    const ev = await t.ctx.db.selectFrom('events').selectAll().where('tracking_code', '=', created.service_request_id).executeTakeFirstOrThrow();
    // Located by the nearest registered business: its unit in 乙一村.
    expect(ev).toMatchObject({ channel: 'public_report', region_id: w.regions.uB1.id, category_code: service.service_code, reporter_phone: '13811112222' });

    const one = await t.api().get(`/open311/v2/requests/${created.service_request_id}.json`);
    expect(one.status).toBe(200);
    expect(one.body).toHaveLength(1);
    expect(one.body[0]).toMatchObject({
      service_request_id: created.service_request_id,
      status: 'open',
      service_code: service.service_code,
      service_name: service.service_name,
      description: expect.stringContaining('凉菜没有防蝇措施'),
      address_id: String(w.regions.uB1.id),
    });
    expect(one.body[0].requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const text = JSON.stringify(one.body);
    for (const secret of ['13811112222', 'li4@example.com', '李', ev.id]) expect(text).not.toContain(secret);

    const list = await t.api().get('/open311/v2/requests.json?lat=25.5&long=118.9&radius=2000');
    expect(list.status).toBe(200);
    expect(list.body.map((x: any) => x.service_request_id)).toContain(created.service_request_id);
    const far = await t.api().get('/open311/v2/requests.json?lat=30&long=120&radius=2000');
    expect(far.body.map((x: any) => x.service_request_id)).not.toContain(created.service_request_id);
    const closed = await t.api().get('/open311/v2/requests.json?status=closed');
    expect(closed.body.map((x: any) => x.service_request_id)).not.toContain(created.service_request_id);
    const old = await t.api().get('/open311/v2/requests.json?end_date=2020-01-01T00:00:00Z');
    expect(old.body).toEqual([]);
  });

  it('When a JSON request names the region by address_id, then it is placed there', async () => {
    const service = (await t.api().get('/open311/v2/services.json')).body[0];
    const r = await t.api().post('/open311/v2/requests.json', { service_code: service.service_code, description: '菜市场卖病死猪肉', address_id: w.regions.vA1.code });
    expect(r.status).toBe(201);
    const ev = await t.ctx.db.selectFrom('events').selectAll().where('tracking_code', '=', r.body[0].service_request_id).executeTakeFirstOrThrow();
    expect(ev.region_id).toBe(w.regions.vA1.id);
    expect(ev.reporter_anonymous).toBe(true);
  });

  it('When a request is bad, then the error is in Open311 shape [{code, description}]', async () => {
    const noLocation = await form({ service_code: 'X', description: '没有地点' });
    expect(noLocation.statusCode).toBe(400);
    expect(noLocation.json()).toEqual([{ code: 400, description: expect.any(String) }]);
    const badService = await form({ service_code: 'NOPE', description: '服务不存在', address_id: String(w.regions.vA1.id) });
    expect(badService.statusCode).toBe(422);
    expect(badService.json()[0]).toMatchObject({ code: 422, description: expect.stringContaining('service_code') });
    const missing = await t.api().get('/open311/v2/requests/ABCDEFGHJK.json');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual([{ code: 404, description: expect.any(String) }]);
  });

  it('When a client posts faster than the limit, then 429 comes in Open311 shape too', async () => {
    const small = await createTestApp({ publicRateLimit: 1 });
    try {
      const send = () =>
        small.app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: 'service_code=X&address_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await send();
      const second = await send();
      expect(second.statusCode).toBe(429);
      expect(second.json()).toEqual([{ code: 429, description: expect.any(String) }]);
    } finally {
      await small.close();
    }
  });
});
