import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { v7 as uuidv7 } from 'uuid';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { region, smallWorld, user, type RegionRef, type SmallWorld } from '../../../test/helpers/world.js';
import type { Tx } from '../../context.js';
import { remindPatrolShortfalls } from './shortfall-reminders.js';

let t: TestApp;
let w: SmallWorld;
let gA2: RegionRef;
let uA2: RegionRef;
const tok: Record<string, string> = {};

async function business(db: Tx, name: string, unit: RegionRef, type = 'catering') {
  const id = uuidv7();
  await db
    .insertInto('businesses')
    .values({ id, name, type, region_id: unit.id, region_path: unit.path, grade: 'D', grade_computed: 'D' })
    .execute();
  return id;
}

const ALL_PASS = [
  { aspect: 'license', passed: true },
  { aspect: 'people', passed: true },
  { aspect: 'goods', passed: true },
  { aspect: 'invoices', passed: true },
  { aspect: 'hygiene', passed: true },
];

let biz: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  gA2 = await region(t.ctx.db, 'grid', '甲一社区第2网格', w.regions.vA1);
  uA2 = await region(t.ctx.db, 'unit', '甲一社区第2网格第1单元', gA2);
  await user(t.ctx.db, 'p_grid_a2', 'grid_member', { region: gA2 });
  biz = {
    noodles: await business(t.ctx.db, '老王牛肉面馆', w.regions.uA1),
    market: await business(t.ctx.db, '惠民便利店', w.regions.uA1, 'sales'),
    bakery: await business(t.ctx.db, '甜心烘焙坊', w.regions.uA1, 'workshop'),
    teahouse: await business(t.ctx.db, '清风茶饮', uA2),
    outside: await business(t.ctx.db, '乙县海鲜大排档', w.regions.uB1),
  };
  for (const u of ['w_grid_a1', 'w_grid_b1', 'w_station_a1', 'w_unit_a1', 'p_grid_a2', 'w_bureau_a', 'w_cadre_a1']) tok[u] = await t.login(u);
});
afterAll(async () => t?.close());

describe('patrol records (P1, P3)', () => {
  it('When a grid member records a routine patrol of a business in the grid, then it is stored with its checklist, grid and audit row', async () => {
    const r = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.noodles, items: ALL_PASS, note: '后厨整洁' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      businessId: biz.noodles,
      businessName: '老王牛肉面馆',
      gridId: String(w.regions.gA1.id),
      type: 'routine',
      channel: 'grid_patrol',
      passed: true,
      failedCount: 0,
      note: '后厨整洁',
    });
    expect(r.body.items.map((i: any) => i.aspect)).toEqual(['license', 'people', 'goods', 'invoices', 'hygiene']);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', r.body.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['patrol_recorded']);
    const got = await t.api(tok.w_station_a1).get(`/api/v1/patrols/${r.body.id}`);
    expect([got.status, got.body.id]).toEqual([200, r.body.id]);
  });

  it('When the field app retries with the same Idempotency-Key or clientId, then the first record is answered and nothing new is written', async () => {
    const body = { businessId: biz.market, items: [{ aspect: 'invoice', passed: true }], clientId: 'phone-1-0001' };
    const key = { 'idempotency-key': 'phone-1-0001' };
    const a = await t.api(tok.w_grid_a1).post('/api/v1/patrols', body, key);
    const b = await t.api(tok.w_grid_a1).post('/api/v1/patrols', body, key);
    const c = await t.api(tok.w_grid_a1).post('/api/v1/patrols', body);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body.id).toBe(a.body.id);
    expect(c.body.id).toBe(a.body.id);
    expect(a.body.items[0].aspect).toBe('invoices');
    const rows = await t.ctx.db.selectFrom('patrols').select('id').where('client_id', '=', 'phone-1-0001').execute();
    expect(rows).toHaveLength(1);
    const reused = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { ...body, clientId: 'phone-1-0002' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.field).toBe('Idempotency-Key');
  });

  it('When the business lies outside the caller\'s jurisdiction, then the patrol answers 404 and a patrol of another grid is invisible', async () => {
    const r = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.outside, items: ALL_PASS });
    expect([r.status, r.body.error.field]).toEqual([404, 'businessId']);
    const mine = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.bakery, items: ALL_PASS });
    expect((await t.api(tok.w_grid_b1).get(`/api/v1/patrols/${mine.body.id}`)).status).toBe(404);
    const list = await t.api(tok.w_grid_b1).get(`/api/v1/patrols?businessId=${biz.bakery}`);
    expect(list.body.items).toEqual([]);
    expect((await t.api(tok.w_grid_b1).get(`/api/v1/patrols?regionId=${w.regions.gA1.id}`)).status).toBe(404);
    const count = await t.ctx.db.selectFrom('patrols').select('id').where('business_id', '=', biz.outside).execute();
    expect(count).toEqual([]);
  });

  it('When a grid member picks an unannounced check, then it is refused; station staff record it as a department patrol (P3); a cadre may not patrol here', async () => {
    const g = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.noodles, type: 'unannounced', items: ALL_PASS });
    expect([g.status, g.body.error.field]).toEqual([422, 'type']);
    const s = await t.api(tok.w_station_a1).post('/api/v1/patrols', { businessId: biz.noodles, type: 'unannounced', items: ALL_PASS });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ type: 'unannounced', channel: 'department_patrol', organizationId: String(w.orgs.stationA1.id) });
    expect((await t.api(tok.w_cadre_a1).post('/api/v1/patrols', { businessId: biz.noodles, items: ALL_PASS })).status).toBe(403);
  });

  it('When checklist lines are malformed, then the error names the line and nothing is written', async () => {
    const before = (await t.ctx.db.selectFrom('patrols').select('id').execute()).length;
    const r1 = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.noodles, items: [{ aspect: 'license', passed: true }, { itemCode: 'NOPE99', passed: false }] });
    expect([r1.status, r1.body.error.field]).toEqual([422, 'items.1.itemCode']);
    const r2 = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.noodles, items: [{ aspect: 'goods', passed: false }] });
    expect([r2.status, r2.body.error.field]).toEqual([422, 'items.0.note']);
    const r3 = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.noodles, items: [] });
    expect(r3.status).toBe(400);
    const r4 = await t.api(tok.w_grid_a1).post('/api/v1/patrols', { businessId: biz.noodles, items: ALL_PASS, patrolledAt: '2099-01-01T00:00:00+08:00' });
    expect([r4.status, r4.body.error.field]).toEqual([422, 'patrolledAt']);
    expect((await t.ctx.db.selectFrom('patrols').select('id').execute()).length).toBe(before);
  });

  it('When a failed line is recorded with raiseEvent, then one grid-patrol event prefilled from the record is created, held by the collector and linked', async () => {
    const r = await t.api(tok.w_grid_a1).post('/api/v1/patrols', {
      businessId: biz.noodles,
      items: [
        { aspect: 'license', passed: true },
        { itemCode: 'HYG02', passed: false, note: '后门纱窗破损，未设挡鼠板' },
        { itemCode: 'GDS04', passed: false },
      ],
      raiseEvent: true,
    });
    expect(r.status).toBe(201);
    expect(r.body.passed).toBe(false);
    expect(r.body.failedCount).toBe(2);
    expect(r.body.eventIds).toHaveLength(1);
    const failed = r.body.items.filter((i: any) => !i.passed);
    expect(failed.every((i: any) => i.eventId === r.body.eventIds[0])).toBe(true);
    const ev = await t.api(tok.w_grid_a1).get(`/api/v1/events/${r.body.eventIds[0]}`);
    expect(ev.status).toBe(200);
    expect(ev.body).toMatchObject({ channel: 'grid_patrol', categoryCode: 'HYG02', businessId: biz.noodles });
    expect(ev.body.title).toContain('老王牛肉面馆');
    expect(ev.body.description).toContain('后门纱窗破损');
    expect(ev.body.description).toContain('冷藏冷冻食品贮存温度不符合要求');
    const again = await t.api(tok.w_grid_a1).post(`/api/v1/patrols/${r.body.id}/raise-event`, {});
    expect(again.status).toBe(409);
  });

  it('When a failed patrol is reported afterwards, then raise-event creates the event from the chosen line only', async () => {
    const p = await t.api(tok.w_station_a1).post('/api/v1/patrols', {
      businessId: biz.market,
      type: 'double_random',
      items: [
        { itemCode: 'GDS01', passed: false, note: '货架上3袋面包已过期' },
        { itemCode: 'INV01', passed: false, note: '无进货台账' },
      ],
    });
    expect(p.body.eventIds).toEqual([]);
    const bad = await t.api(tok.w_station_a1).post(`/api/v1/patrols/${p.body.id}/raise-event`, { seqs: [7] });
    expect([bad.status, bad.body.error.field]).toEqual([422, 'seqs']);
    const r = await t.api(tok.w_station_a1).post(`/api/v1/patrols/${p.body.id}/raise-event`, { seqs: [1] });
    expect(r.status).toBe(201);
    expect(r.body.event).toMatchObject({ channel: 'department_patrol', categoryCode: 'GDS01', businessId: biz.market });
    expect(r.body.patrol.items.map((i: any) => !!i.eventId)).toEqual([true, false]);
    expect((await t.api(tok.w_grid_b1).post(`/api/v1/patrols/${p.body.id}/raise-event`, {})).status).toBe(404);
  });

  it('When patrols are listed by business, then they come newest first with cursor paging', async () => {
    const p1 = await t.api(tok.w_grid_a1).get(`/api/v1/patrols?businessId=${biz.noodles}&limit=2`);
    expect(p1.status).toBe(200);
    expect(p1.body.items).toHaveLength(2);
    expect(p1.body.nextCursor).not.toBeNull();
    const p2 = await t.api(tok.w_grid_a1).get(`/api/v1/patrols?businessId=${biz.noodles}&limit=2&cursor=${p1.body.nextCursor}`);
    const all = [...p1.body.items, ...p2.body.items];
    expect(new Set(all.map((p: any) => p.id)).size).toBe(all.length);
    const times = all.map((p: any) => p.patrolledAt);
    expect(times).toEqual([...times].sort().reverse());
  });
});

describe('coverage and last patrol (P2)', () => {
  it('When the field app asks for the last patrols of its grid, then every business is listed, the never-patrolled ones with null', async () => {
    const r = await t.api(tok.p_grid_a2).get('/api/v1/patrols/last');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([expect.objectContaining({ businessId: biz.teahouse, lastPatrolAt: null, patrolsThisMonth: 0 })]);
    const a1 = await t.api(tok.w_grid_a1).get(`/api/v1/patrols/last?regionId=${w.regions.gA1.id}`);
    const noodles = a1.body.items.find((i: any) => i.businessId === biz.noodles);
    expect(noodles.lastPatrolAt).not.toBeNull();
    expect(noodles.patrolsThisMonth).toBeGreaterThanOrEqual(3);
    expect(a1.body.items.map((i: any) => i.businessId)).not.toContain(biz.outside);
  });

  it('When a month is assessed, then each grid shows businesses, patrolled, coverage and hazard reports, and the shortfall lists name grids and workers', async () => {
    const station = tok.w_station_a1;
    let r = await t.api(station).get(`/api/v1/patrols/coverage?regionId=${w.regions.vA1.id}`);
    expect(r.status).toBe(200);
    const g1 = r.body.grids.find((g: any) => g.gridId === String(w.regions.gA1.id));
    const g2 = r.body.grids.find((g: any) => g.gridId === String(gA2.id));
    // grid 1: three businesses, all patrolled by the tests above; one grid-patrol hazard report so far
    expect(g1).toMatchObject({ businesses: 3, patrolled: 3, coverage: 100, coverageShort: false, hazardReports: 1, hazardsShort: true });
    // grid 2: the tea shop has not been visited
    expect(g2).toMatchObject({ businesses: 1, patrolled: 0, coverage: 0, coverageShort: true, hazardReports: 0, hazardsShort: true });
    const cov = r.body.shortfalls.coverage.find((s: any) => s.gridId === String(gA2.id));
    expect(cov.unpatrolledBusinesses).toEqual([{ id: biz.teahouse, name: '清风茶饮' }]);
    expect(cov.workers.map((x: any) => x.displayName)).toEqual(['p_grid_a2']);
    expect(r.body.shortfalls.hazards.map((s: any) => s.gridName).sort()).toEqual(['甲一社区第1网格', '甲一社区第2网格']);
    const gm = r.body.workers.find((x: any) => x.displayName === 'w_grid_a1');
    expect(gm).toMatchObject({ hazardReports: 1, areaBusinesses: 3, areaPatrolled: 3, coverage: 100 });
    expect(gm.patrols).toBeGreaterThanOrEqual(4);

    // The tea shop is visited and a second hazard is reported in grid 1: both shortfalls clear.
    expect((await t.api(tok.p_grid_a2).post('/api/v1/patrols', { businessId: biz.teahouse, items: ALL_PASS })).status).toBe(201);
    const ev = await t.api(tok.w_grid_a1).post('/api/v1/events', { channel: 'grid_patrol', title: '惠民便利店门口堆放垃圾', description: '门口垃圾桶无盖', businessId: biz.market });
    expect(ev.status).toBe(201);
    r = await t.api(station).get(`/api/v1/patrols/coverage?regionId=${w.regions.vA1.id}`);
    expect(r.body.shortfalls.coverage).toEqual([]);
    expect(r.body.shortfalls.hazards.map((s: any) => s.gridId)).toEqual([String(gA2.id)]);
    expect(r.body.totals).toMatchObject({ grids: 2, businesses: 4, patrolled: 4, coverage: 100, hazardReports: 2 });

    // A county leader compares townships; per-worker rows can be left out for large regions.
    const county = await t.api(tok.w_bureau_a).get(`/api/v1/patrols/coverage?regionId=${w.regions.countyA.id}&detail=grids`);
    expect(county.body.workersIncluded).toBe(false);
    expect(county.body.workers).toEqual([]);
    const tA1 = county.body.townships.find((x: any) => x.townshipId === String(w.regions.tA1.id));
    expect(tA1).toMatchObject({ name: '甲一街道', grids: 2, businesses: 4, patrolled: 4, coverage: 100, hazardReports: 2, gridsHazardsShort: 1 });
  });

  it('When the region is outside the caller\'s jurisdiction or the month malformed, then 404 / 400', async () => {
    expect((await t.api(tok.w_station_a1).get(`/api/v1/patrols/coverage?regionId=${w.regions.countyB.id}`)).status).toBe(404);
    const bad = await t.api(tok.w_station_a1).get(`/api/v1/patrols/coverage?regionId=${w.regions.vA1.id}&month=2026-13`);
    expect([bad.status, bad.body.error.field]).toEqual([400, 'month']);
  });

  it('When patrols and coverage are exported, then the .xlsx files hold exactly what the caller may see (X4)', async () => {
    const sheet = async (token: string, url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as any);
      const ws = wb.worksheets[0];
      const rows: any[][] = [];
      ws.eachRow((r) => rows.push((r.values as any[]).slice(1)));
      return rows;
    };
    const mine = await sheet(tok.w_grid_a1, '/api/v1/patrols/export.xlsx');
    const listed = await t.api(tok.w_grid_a1).get('/api/v1/patrols?limit=1000');
    expect(mine[0].slice(0, 3)).toEqual(['巡查时间', '经营主体', '巡查类型']);
    expect(mine.length - 1).toBe(listed.body.items.length);
    expect(mine.some((r) => String(r[6] ?? '').includes('后门纱窗破损'))).toBe(true);
    const other = await sheet(tok.w_grid_b1, '/api/v1/patrols/export.xlsx');
    expect(other.length).toBe(1);
    const cov = await sheet(tok.w_station_a1, `/api/v1/patrols/coverage/export.xlsx?regionId=${w.regions.vA1.id}`);
    expect(cov.slice(1).map((r) => r[0]).sort()).toEqual(['甲一社区第1网格', '甲一社区第2网格']);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('action', 'in', ['patrols_exported', 'patrol_coverage_exported']).execute();
    expect(audit.length).toBe(3);
  });

  it('When the 20th of the month comes, then each grid member of a short grid gets one notice saying what is missing, and on other days nobody', async () => {
    const day = (d: string) => ({ ...t.ctx, now: () => new Date(d) });
    const month = new Date().toISOString().slice(0, 7);
    expect(await remindPatrolShortfalls(day(`${month}-19T02:00:00Z`))).toEqual({ notices: 0, grids: 0 });
    const r = await remindPatrolShortfalls(day(`${month}-20T02:00:00Z`));
    expect(r.notices).toBeGreaterThan(0);
    const notes = await t.ctx.db.selectFrom('notifications').select(['user_id', 'title', 'body']).where('kind', '=', 'patrol_shortfall').execute();
    const a2 = await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'p_grid_a2').executeTakeFirstOrThrow();
    const mineA2 = notes.filter((n) => n.user_id === a2.id);
    expect(mineA2).toHaveLength(1);
    expect(mineA2[0].title).toContain('甲一社区第2网格');
    expect(mineA2[0].body).toContain('要求不少于 2 条');
    // unit leaders answer for their unit, not for the grid's reports
    expect(notes.some((n) => n.user_id === w.users.unitLeaderA1.id)).toBe(false);
  });

  it('When an earlier month is asked, then this month\'s patrols do not count', async () => {
    const r = await t.api(tok.w_bureau_a).get(`/api/v1/patrols/coverage?regionId=${w.regions.countyA.id}&month=2020-01`);
    expect(r.status).toBe(200);
    expect(r.body.totals).toMatchObject({ patrolled: 0, coverage: 0, hazardReports: 0 });
  });
});
