import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { foodBusiness, smallWorld, type SmallWorld } from '../../../test/helpers/world.js';

let t: TestApp;
let w: SmallWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
});
afterAll(async () => t?.close());

describe('dashboard figures in one answer', () => {
  it('When a county asks with include=dashboard, then byRegion, 12 weeks and hotspots agree with the totals', async () => {
    const a1 = await foodBusiness(t.ctx.db, '甲一酒楼', w.regions.uA1);
    const unit = await t.login('w_unit_a1');
    for (let i = 0; i < 3; i++) {
      const r = await t.api(unit).post('/api/v1/events', { channel: 'grid_patrol', title: `问题${i}`, description: '后厨卫生差', businessId: a1.id });
      expect(r.status).toBe(201);
    }
    const bureau = await t.login('w_bureau_a');
    const plain = await t.api(bureau).get(`/api/v1/metrics/events?regionId=${w.regions.countyA.id}`);
    expect(plain.status).toBe(200);
    expect(plain.body.weekly).toBeUndefined();
    const m = await t.api(bureau).get(`/api/v1/metrics/events?regionId=${w.regions.countyA.id}&include=dashboard`);
    expect(m.status).toBe(200);
    expect(m.body.total).toBe(3);
    expect(m.body.byRegion.map((r: any) => r.name).sort()).toEqual(['甲一街道', '甲二镇']);
    expect(m.body.byRegion.find((r: any) => r.name === '甲一街道').total).toBe(3);
    expect(m.body.weekly).toHaveLength(12);
    expect(m.body.weekly.at(-1).created).toBe(3);
    expect(m.body.weekly.reduce((s: number, x: any) => s + x.created, 0)).toBe(3);
    expect(m.body.hotspots).toEqual([expect.objectContaining({ businessId: a1.id, name: '甲一酒楼', count: 3 })]);
    const outside = await t.api(bureau).get(`/api/v1/metrics/events?regionId=${w.regions.countyB.id}&include=dashboard`);
    expect(outside.status).toBe(404);
  });
});
