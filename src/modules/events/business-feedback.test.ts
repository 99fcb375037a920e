import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../../test/helpers/app.js';
import { foodBusiness, smallWorld, type SmallWorld } from '../../../test/helpers/world.js';

/** E8: the business answers a rectification order from its own account; the holder verifies. */
let t: TestApp;
let w: SmallWorld;
beforeAll(async () => {
  t = await createTestApp({ demo: true });
  w = await smallWorld(t.ctx.db);
});
afterAll(async () => t?.close());

describe('business feedback on rectification (E8)', () => {
  it('When a business account submits its rectification, then the holder can verify it; another business cannot see the event', async () => {
    const shopA = await foodBusiness(t.ctx.db, '阿明小吃店', w.regions.uA1);
    const shopB = await foodBusiness(t.ctx.db, '隔壁面馆', w.regions.uA1);
    const admin = await t.login('w_admin');
    const mk = async (username: string, businessId: string) => {
      const r = await t.api(admin).post('/api/v1/users', { username, password: TEST_PASSWORD, displayName: username, role: 'business', businessId });
      expect(r.status).toBe(201);
      expect(r.body.businessId).toBe(businessId);
      expect(r.body.regionId).toBe(String(w.regions.uA1.id));
      return t.login(username);
    };
    const ownerA = await mk('owner_a', shopA.id);
    const ownerB = await mk('owner_b', shopB.id);

    const station = await t.login('w_station_a1');
    const created = await t.api(station).post('/api/v1/events', { channel: 'department_patrol', title: '冷藏不当', description: '生肉常温存放', businessId: shopA.id });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const step = async (tok: string, body: any) => t.api(tok).post(`/api/v1/events/${id}/actions`, body);
    expect((await step(station, { type: 'accept' })).status).toBe(200);
    const ordered = await step(station, { type: 'order_rectification', deadline: new Date(Date.now() + 3 * 86400_000).toISOString(), requirement: '生肉须冷藏' });
    expect(ordered.status).toBe(200);
    expect(ordered.body.state).toBe('rectifying');

    const mine = await t.api(ownerA).get(`/api/v1/events/${id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.allowedActions).toContain('submit_rectification');
    expect(mine.body.allowedActions).not.toContain('verify_rectification');
    expect((await t.api(ownerB).get(`/api/v1/events/${id}`)).status).toBe(404);
    expect((await t.api(ownerB).post(`/api/v1/events/${id}/actions`, { type: 'submit_rectification', note: '假的' })).status).toBe(404);

    const submitted = await step(ownerA, { type: 'submit_rectification', note: '已购置冷柜，生肉全部冷藏' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.history.at(-1)).toMatchObject({ type: 'submit_rectification', actorId: expect.any(String) });
    const wrongVerify = await step(ownerA, { type: 'verify_rectification', passed: true });
    expect(wrongVerify.status).toBe(403);
    const verified = await step(station, { type: 'verify_rectification', passed: true });
    expect(verified.status).toBe(200);
    expect(verified.body.state).toBe('in_progress');
  });

  it('When a non-business account is linked to a business, then 422 names businessId', async () => {
    const admin = await t.login('w_admin');
    const shop = await foodBusiness(t.ctx.db, '某超市', w.regions.uA1);
    const r = await t.api(admin).post('/api/v1/users', { username: 'not_owner', password: TEST_PASSWORD, displayName: 'x', role: 'grid_member', regionId: String(w.regions.gA1.id), businessId: shop.id });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('businessId');
  });
});
