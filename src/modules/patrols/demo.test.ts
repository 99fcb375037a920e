import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld, type SmallWorld } from '../../../test/helpers/world.js';
import { seedDemoPatrols } from './demo.js';

let t: TestApp;
let w: SmallWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  const rows = Array.from({ length: 40 }, (_, i) => ({
    id: uuidv7(),
    name: `演示餐馆${i + 1}`,
    type: 'catering',
    region_id: i % 2 ? w.regions.uA1.id : w.regions.uB1.id,
    region_path: i % 2 ? w.regions.uA1.path : w.regions.uB1.path,
    grade: 'D',
    grade_computed: 'D',
  }));
  await t.ctx.db.insertInto('businesses').values(rows).execute();
});
afterAll(async () => t?.close());

describe('demo patrols (H5, P2)', () => {
  it('When demo patrols are seeded, then they lie in the last three months up to now, by grid workers of the business\'s grid, mostly passed', async () => {
    const now = new Date('2026-11-20T04:00:00Z');
    const r = await t.ctx.db.transaction().execute((trx) => seedDemoPatrols(trx, { now, seed: 7 }));
    expect(r.patrols).toBeGreaterThan(60);
    expect(r.items).toBe(r.patrols * 5);
    const rows = await t.ctx.db.selectFrom('patrols').selectAll().execute();
    expect(rows.every((p) => new Date(p.patrolled_at) <= now && new Date(p.patrolled_at) >= new Date('2026-08-31T16:00:00Z'))).toBe(true);
    const gridOf: Record<string, number> = { [w.regions.uA1.path]: w.regions.gA1.id, [w.regions.uB1.path]: w.regions.gB1.id };
    expect(rows.every((p) => p.grid_id === gridOf[p.region_path])).toBe(true);
    const allowed = new Set([w.users.gridMemberA1.id, w.users.gridLeaderA1.id, w.users.unitLeaderA1.id, w.users.gridMemberB1.id]);
    expect(rows.every((p) => allowed.has(p.patroller_id))).toBe(true);
    const failed = rows.filter((p) => !p.passed).length;
    expect(failed).toBeLessThan(rows.length * 0.3);
    const items = await t.ctx.db.selectFrom('patrol_items').selectAll().where('passed', '=', false).execute();
    expect(items.length).toBe(failed);
  });
});
