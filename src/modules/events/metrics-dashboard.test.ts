import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { loadActor } from '../identity/store.js';
import { dashboardExtras } from './metrics.js';
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
    // the league table alone checks the region against the caller's jurisdiction too (I4)
    expect((await t.api(bureau).get(`/api/v1/metrics/events/by-region?regionId=${w.regions.countyB.id}`)).status).toBe(404);
    expect((await t.api(bureau).get(`/api/v1/metrics/events/by-region?regionId=${w.regions.countyA.id}`)).body.items.map((r: any) => r.name).sort()).toEqual(['甲一街道', '甲二镇']);
  });

  it('When several businesses are hot, then the hotspot list counts only their open flagged reports, largest first, with the names', async () => {
    const big = await foodBusiness(t.ctx.db, '乙一大排档', w.regions.uB1);
    const small = await foodBusiness(t.ctx.db, '乙一面馆', w.regions.uB1);
    const quiet = await foodBusiness(t.ctx.db, '乙一茶铺', w.regions.uB1);
    const grid = await t.login('w_grid_b1');
    const ids: string[] = [];
    for (const [b, n] of [[big, 5], [small, 3], [quiet, 1]] as const) {
      for (let i = 0; i < n; i++) {
        const r = await t.api(grid).post('/api/v1/events', { channel: 'grid_patrol', title: `热点${i}`, description: '后厨卫生差', businessId: b.id });
        expect(r.status).toBe(201);
        if (b === big) ids.push(r.body.id);
      }
    }
    // a closed report of a hot business is no longer counted
    await sql`UPDATE events SET state = 'closed', closed_at = now(), result = '已处理', feedback = '已反馈' WHERE id = ${ids[0]}`.execute(t.ctx.db);
    const m = await t.api(await t.login('w_bureau_b')).get(`/api/v1/metrics/events?regionId=${w.regions.countyB.id}&include=dashboard`);
    expect(m.status).toBe(200);
    expect(m.body.hotspots).toEqual([
      { businessId: big.id, name: '乙一大排档', categoryCode: null, count: 4 },
      { businessId: small.id, name: '乙一面馆', categoryCode: null, count: 3 },
    ]);
  });

  it('When reports fall either side of a Monday 00:00 China time, then the 12 weeks count each in its own week, and nothing before the first week', async () => {
    const b = await foodBusiness(t.ctx.db, '甲一周计小店', w.regions.uA1);
    const unit = await t.login('w_unit_a1');
    // Wednesday 25 November 2026, noon in China; this week began Monday 23 November 00:00 China (22 Nov 16:00 UTC)
    const now = new Date('2026-11-25T04:00:00Z');
    const at = {
      sundayNight: '2026-11-22T15:59:59.999Z', // Sunday 23:59:59.999 China: the week before
      mondayMidnight: '2026-11-22T16:00:00.000Z', // Monday 00:00 China: this week
      firstWeek: '2026-09-06T16:00:00.000Z', // Monday 7 September 00:00 China: the first of the twelve
      beforeFirst: '2026-09-06T15:59:59.999Z', // outside the twelve weeks
    };
    const ids: Record<string, string> = {};
    for (const [k, when] of Object.entries(at)) {
      // one category of their own, so only these four reports are counted below
      const r = await t.api(unit).post('/api/v1/events', { channel: 'grid_patrol', title: `周计${k}`, description: '后厨卫生差', businessId: b.id, categoryCode: 'MKT01' });
      expect(r.status).toBe(201);
      ids[k] = r.body.id;
      await sql`UPDATE events SET created_at = ${new Date(when)} WHERE id = ${r.body.id}`.execute(t.ctx.db);
    }
    await sql`UPDATE events SET state = 'closed', closed_at = ${now}, result = '已处理', feedback = '已反馈' WHERE id = ${ids.mondayMidnight}`.execute(t.ctx.db);
    const bureauId = (await sql<{ id: string }>`SELECT id FROM users WHERE username = 'w_bureau_a'`.execute(t.ctx.db)).rows[0].id;
    const actor = (await loadActor(t.ctx.db, bureauId))!;
    const d = await dashboardExtras({ ...t.ctx, now: () => now }, actor, { regionId: String(w.regions.countyA.id), categoryCode: 'MKT01' });
    const mine = (week: string) => d.weekly.find((x) => x.week === week);
    expect(d.weekly.map((x) => x.week)).toEqual([
      '2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28', '2026-10-05', '2026-10-12',
      '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23',
    ]);
    expect(mine('2026-11-23')).toEqual({ week: '2026-11-23', created: 1, closed: 1 });
    expect(mine('2026-11-16')).toEqual({ week: '2026-11-16', created: 1, closed: 0 });
    expect(mine('2026-09-07')).toEqual({ week: '2026-09-07', created: 1, closed: 0 });
    // the fourth report lies before the first week
    expect(d.weekly.reduce((n, x) => n + x.created, 0)).toBe(3);
  });
});
