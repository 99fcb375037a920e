import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { region, smallWorld, user, type SmallWorld } from '../../../test/helpers/world.js';
import { creditCode } from './test-support.js';

let t: TestApp;
let w: SmallWorld;
let station: string; // station staff of township A1
let stationB: string; // station staff of township B1 (other county)
let bureauA: string;
let gridMember: string;
let fso: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  [station, stationB, bureauA, gridMember, fso] = await Promise.all(
    ['w_station_a1', 'w_station_b1', 'w_bureau_a', 'w_grid_a1', 'w_fso_a'].map((u) => t.login(u)),
  );
});
afterAll(async () => t?.close());

const base = () => ({ name: '甲一社区某某餐馆', type: 'catering', regionId: String(w.regions.uA1.id) });

describe('B1 register a business', () => {
  it('When station staff register a canteen in a unit of their township, then 201 with the computed grade, risk and 1+2+3+N team', async () => {
    const r = await t.api(station).post('/api/v1/businesses', {
      ...base(),
      name: '甲一中学食堂',
      type: 'school_canteen',
      dinersCount: 1200,
      creditCode: creditCode(),
      licenseNo: 'jy33503020000013',
      licenseExpiry: '2027-06-30',
      address: '甲一路1号',
      contactName: '张三',
      contactPhone: '13912345678',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ grade: 'B', gradeComputed: 'B', riskLevel: 'high', type: 'school_canteen', regionId: String(w.regions.uA1.id) });
    expect(r.body.licenseNo).toBe('JY33503020000013');
    expect(r.body.supervision).toEqual({ minPerQuarter: 1, onSiteRequired: true });
    expect(r.body.gradeBasis).toContain('1200');
    expect(r.body.team).toMatchObject({
      businessId: r.body.id,
      stationStaff: [w.users.stationA1.id],
      gridLeaders: [w.users.gridLeaderA1.id],
      gridMembers: [w.users.gridMemberA1.id],
      unitLeaders: [w.users.unitLeaderA1.id],
      followers: 0,
    });
    expect(r.body.team.userIds).toHaveLength(4);
  });

  it('When the unit is outside the caller jurisdiction, then 404 names regionId and nothing is written', async () => {
    const before = await t.ctx.db.selectFrom('businesses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = await t.api(station).post('/api/v1/businesses', { ...base(), regionId: String(w.regions.uB1.id) });
    expect(r.status).toBe(404);
    expect(r.body.error.field).toBe('regionId');
    const after = await t.ctx.db.selectFrom('businesses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('When the region is a grid rather than a unit, then 422 region_not_unit', async () => {
    const r = await t.api(station).post('/api/v1/businesses', { ...base(), regionId: String(w.regions.gA1.id) });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'region_not_unit', field: 'regionId' });
  });

  it.each([
    ['name missing', { name: undefined }, 400, 'name'],
    ['type unknown', { type: 'restaurant' }, 400, 'type'],
    ['negative employees', { employees: -1 }, 400, 'employees'],
    ['a licence expiry that is no date', { licenseExpiry: '2027-02-30' }, 400, 'licenseExpiry'],
    ['a credit code with a wrong check character', { creditCode: '91350302MA2XYZ1230' }, 422, 'creditCode'],
    ['a kindergarten canteen without diners', { type: 'kindergarten_canteen' }, 422, 'dinersCount'],
    ['a phone that is no number', { contactPhone: 'abc' }, 422, 'contactPhone'],
    ['a JY licence number with a digit missing', { licenseNo: 'JY3350302000001' }, 422, 'licenseNo'],
  ])('When %s, then the answer names the field', async (_n, patch, status, field) => {
    const r = await t.api(station).post('/api/v1/businesses', { ...base(), ...patch });
    expect(r.status).toBe(status);
    expect(r.body.error.field).toBe(field);
  });

  it('When the credit code is already registered, then 409 names creditCode', async () => {
    const code = creditCode();
    expect((await t.api(station).post('/api/v1/businesses', { ...base(), creditCode: code })).status).toBe(201);
    const dup = await t.api(station).post('/api/v1/businesses', { ...base(), name: '另一家', creditCode: code.toLowerCase() });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'credit_code_taken', field: 'creditCode' });
  });

  it('When a grid member (read-only role) tries to register, then 403', async () => {
    expect((await t.api(gridMember).post('/api/v1/businesses', base())).status).toBe(403);
  });
});

describe('B1, I4 read and list within jurisdiction', () => {
  let id: string;
  beforeAll(async () => {
    const r = await t.api(station).post('/api/v1/businesses', { ...base(), name: '甲一乳业有限公司', type: 'production', employees: 320, revenueWan: 2500, productTags: ['dairy'], contactPhone: '13800001111' });
    id = r.body.id;
  });

  it('When staff of another county ask for it, then 404; the county bureau and the grid member see it', async () => {
    expect((await t.api(stationB).get(`/api/v1/businesses/${id}`)).status).toBe(404);
    const b = await t.api(bureauA).get(`/api/v1/businesses/${id}`);
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ grade: 'B', riskLevel: 'high', riskLevelManual: false });
    expect(b.body.team.stationStaff).toEqual([w.users.stationA1.id]);
    const g = await t.api(gridMember).get(`/api/v1/businesses/${id}`);
    expect(g.status).toBe(200);
    expect(g.body.contactPhone).toBe('138****1111');
    expect(b.body.contactPhone).toBe('13800001111');
    expect((await t.api(station).get('/api/v1/businesses/not-a-uuid')).status).toBe(404);
  });

  it('When a registry editor reads the full phone, then the read is audited', async () => {
    await t.api(bureauA).get(`/api/v1/businesses/${id}`);
    const a = await t.ctx.db.selectFrom('audit_log').select('actor_id').where('action', '=', 'business_contact_read').where('entity_id', '=', id).execute();
    expect(a.map((x) => x.actor_id)).toContain(w.users.bureauA.id);
  });

  it('When another county lists businesses, then the business is absent; lists mask phones', async () => {
    const other = await t.api(stationB).get('/api/v1/businesses?limit=1000');
    expect(other.status).toBe(200);
    expect(other.body.items.map((b: any) => b.id)).not.toContain(id);
    const mine = await t.api(station).get('/api/v1/businesses?limit=1000');
    const item = mine.body.items.find((b: any) => b.id === id);
    expect(item.contactPhone).toBe('138****1111');
    expect(item).not.toHaveProperty('team');
  });

  it('When listing with a regionId outside the jurisdiction, then 404 names regionId', async () => {
    const r = await t.api(station).get(`/api/v1/businesses?regionId=${w.regions.tB1.id}`);
    expect(r.status).toBe(404);
    expect(r.body.error.field).toBe('regionId');
  });

  it('When filtering by subtree, grade, type, risk, status and name, then only matching businesses come back', async () => {
    const q = async (qs: string) => (await t.api(bureauA).get(`/api/v1/businesses?limit=1000&${qs}`)).body.items.map((b: any) => b.id);
    expect(await q(`regionId=${w.regions.vA1.id}`)).toContain(id);
    expect(await q(`regionId=${w.regions.tA2.id}`)).not.toContain(id);
    expect(await q('grade=B&type=production&riskLevel=high&status=operating')).toEqual([id]);
    expect(await q('grade=A')).not.toContain(id);
    expect(await q(`q=${encodeURIComponent('乳业')}`)).toEqual([id]);
    expect(await q(`q=${encodeURIComponent('不存在的名字')}`)).toEqual([]);
  });

  it('When searching by the start of a credit code, a licence number or an address word, then the business is found', async () => {
    const code = creditCode();
    const b = (await t.api(station).post('/api/v1/businesses', { ...base(), name: '搜索测试店', creditCode: code, licenseNo: 'JY23503029876543', address: '凤凰山路88号' })).body;
    const q = async (v: string) => (await t.api(station).get(`/api/v1/businesses?q=${encodeURIComponent(v)}`)).body.items.map((x: any) => x.id);
    expect(await q(code.slice(0, 17).toLowerCase())).toEqual([b.id]);
    expect(await q('JY2350302987')).toEqual([b.id]);
    expect(await q('凤凰山路')).toEqual([b.id]);
    expect(await q('100%')).toEqual([]);
  });

  it('When filtering by licence expiry and credit-risk class, then only those businesses come back', async () => {
    const soon = (await t.api(station).post('/api/v1/businesses', { ...base(), name: '许可快到期店', licenseExpiry: '2020-01-31', creditRiskClass: 'D' })).body;
    const later = (await t.api(station).post('/api/v1/businesses', { ...base(), name: '许可未到期店', licenseExpiry: '2099-12-31', creditRiskClass: 'D' })).body;
    const ids = async (qs: string) => (await t.api(station).get(`/api/v1/businesses?limit=1000&${qs}`)).body.items.map((b: any) => b.id);
    const expiring = await ids('licenseExpiringBy=2020-12-31');
    expect(expiring).toContain(soon.id);
    expect(expiring).not.toContain(later.id);
    expect((await ids('creditRiskClass=D')).sort()).toEqual([soon.id, later.id].sort());
    expect((await t.api(station).get('/api/v1/businesses?licenseExpiringBy=2020-13-01')).body.error.field).toBe('licenseExpiringBy');
  });

  it('When paging with limit and cursor, then every business comes once', async () => {
    for (let i = 0; i < 3; i++) await t.api(station).post('/api/v1/businesses', { ...base(), name: `翻页测试${i}` });
    const all = (await t.api(station).get('/api/v1/businesses?limit=1000')).body.items.map((b: any) => b.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await t.api(station).get(`/api/v1/businesses?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((b: any) => b.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('B2 grade override and regrading', () => {
  let id: string;
  beforeAll(async () => {
    id = (await t.api(station).post('/api/v1/businesses', { ...base(), name: '甲一小吃店', employees: 5, revenueWan: 50 })).body.id;
  });

  it('When the business is created small, then it is D (micro catering)', async () => {
    expect((await t.api(station).get(`/api/v1/businesses/${id}`)).body).toMatchObject({ grade: 'D', gradeComputed: 'D', gradeOverride: null });
  });

  it('When an override has no reason, then 422 names gradeOverrideReason', async () => {
    const r = await t.api(station).patch(`/api/v1/businesses/${id}`, { gradeOverride: 'B' });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('gradeOverrideReason');
  });

  it('When a role without the override permission tries, then 403', async () => {
    expect((await t.api(fso).patch(`/api/v1/businesses/${id}`, { gradeOverride: 'B', gradeOverrideReason: '理由' })).status).toBe(403);
    expect((await t.api(gridMember).patch(`/api/v1/businesses/${id}`, { gradeOverride: 'B', gradeOverrideReason: '理由' })).status).toBe(403);
    expect((await t.api(gridMember).patch(`/api/v1/businesses/${id}`, {})).status).toBe(403);
    expect((await t.api(gridMember).patch(`/api/v1/businesses/${id}`, { name: '改名' })).status).toBe(403);
  });

  it('When station staff override with a reason, then the grade changes and who, why and when are recorded', async () => {
    const r = await t.api(station).patch(`/api/v1/businesses/${id}`, { gradeOverride: 'B', gradeOverrideReason: '承接学校配餐，提高包保层级' });
    expect(r.status).toBe(200);
    expect(r.body.grade).toBe('B');
    expect(r.body.gradeComputed).toBe('D');
    expect(r.body.gradeOverride).toMatchObject({ grade: 'B', reason: '承接学校配餐，提高包保层级', by: w.users.stationA1.id });
    expect(Date.parse(r.body.gradeOverride.at)).not.toBeNaN();
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'actor_id']).where('entity_id', '=', id).where('action', '=', 'business_grade_overridden').execute();
    expect(audit).toEqual([{ action: 'business_grade_overridden', actor_id: w.users.stationA1.id }]);
  });

  it('When the size changes under an override, then the computed grade follows and the override stays in force', async () => {
    const r = await t.api(station).patch(`/api/v1/businesses/${id}`, { employees: 150, revenueWan: 3000 });
    expect(r.body).toMatchObject({ grade: 'B', gradeComputed: 'B' });
    const r2 = await t.api(station).patch(`/api/v1/businesses/${id}`, { employees: 400, revenueWan: 20000 });
    expect(r2.body).toMatchObject({ grade: 'B', gradeComputed: 'A' });
  });

  it('When the override is cleared, then the computed grade is in force again', async () => {
    const r = await t.api(station).patch(`/api/v1/businesses/${id}`, { gradeOverride: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ grade: 'A', gradeComputed: 'A', gradeOverride: null });
  });

  it('When a canteen diner count changes, then it is regraded', async () => {
    const c = await t.api(station).post('/api/v1/businesses', { ...base(), name: '甲一幼儿园食堂', type: 'kindergarten_canteen', dinersCount: 99 });
    expect(c.body.grade).toBe('D');
    const r = await t.api(station).patch(`/api/v1/businesses/${c.body.id}`, { dinersCount: 300 });
    expect(r.body.grade).toBe('B');
    const bad = await t.api(station).patch(`/api/v1/businesses/${c.body.id}`, { dinersCount: null });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('dinersCount');
  });

  it('When editing a business outside the jurisdiction, then 404', async () => {
    expect((await t.api(stationB).patch(`/api/v1/businesses/${id}`, { name: '改名' })).status).toBe(404);
    expect((await t.api(station).patch(`/api/v1/businesses/${id}`, { regionId: String(w.regions.uB1.id) })).status).toBe(404);
  });
});

describe('B3 risk level', () => {
  it('When staff set the risk, then it is kept when tags change; null hands it back to the rules', async () => {
    const c = await t.api(station).post('/api/v1/businesses', { ...base(), name: '甲一肉制品厂', type: 'production', productTags: ['meat'], riskLevel: 'medium', creditRiskClass: 'C' });
    expect(c.body).toMatchObject({ riskLevel: 'medium', riskLevelManual: true, creditRiskClass: 'C' });
    const r = await t.api(station).patch(`/api/v1/businesses/${c.body.id}`, { productTags: ['bakery'] });
    expect(r.body.riskLevel).toBe('medium');
    const back = await t.api(station).patch(`/api/v1/businesses/${c.body.id}`, { riskLevel: null, productTags: ['meat'] });
    expect(back.body).toMatchObject({ riskLevel: 'high', riskLevelManual: false });
  });

  it('When the status turns suspended, then an outbox message tells the 包保 side', async () => {
    const c = await t.api(station).post('/api/v1/businesses', { ...base(), name: '甲一停业店' });
    await t.api(station).patch(`/api/v1/businesses/${c.body.id}`, { status: 'suspended' });
    const rows = await t.ctx.db.selectFrom('outbox').select(['topic', 'payload']).where('topic', '=', 'business.status_changed').execute();
    expect(rows.some((r) => JSON.stringify(r.payload).includes(c.body.id))).toBe(true);
  });
});

describe('H4 team', () => {
  it('When a unit has no leader and its village no station staff, then those parts are empty; followers are counted', async () => {
    const v = await region(t.ctx.db, 'village', '甲一新村', w.regions.tA1);
    const g = await region(t.ctx.db, 'grid', '新村网格', v);
    const u = await region(t.ctx.db, 'unit', '新村单元', g);
    const gl = await user(t.ctx.db, 'team_gl', 'grid_leader', { region: g });
    const c = await t.api(station).post('/api/v1/businesses', { ...base(), regionId: String(u.id) });
    await t.ctx.db.insertInto('business_followers').values([{ business_id: c.body.id, follower_key: 'a' }, { business_id: c.body.id, follower_key: 'b' }]).execute();
    const r = await t.api(station).get(`/api/v1/businesses/${c.body.id}`);
    expect(r.body.team).toMatchObject({ stationStaff: [], gridLeaders: [gl.id], gridMembers: [], unitLeaders: [], followers: 2 });
  });
});

describe('B5 history', () => {
  it('When a business has patrols, events and registry changes, then history lists them newest first, and is 404 outside', async () => {
    const c = await t.api(station).post('/api/v1/businesses', { ...base(), name: '甲一档案测试店' });
    const id = c.body.id;
    await t.api(station).patch(`/api/v1/businesses/${id}`, { gradeOverride: 'C', gradeOverrideReason: '投诉较多' });
    await t.ctx.db
      .insertInto('events')
      .values({
        id: uuidv7(),
        channel: 'grid_patrol',
        title: '后厨卫生不达标',
        description: '巡查发现',
        business_id: id,
        region_id: w.regions.uA1.id,
        region_path: w.regions.uA1.path,
        state: 'open',
        tier: 'grid',
        origin_tier: 'grid',
        created_at: new Date(Date.now() + 1000),
      })
      .execute();
    await t.ctx.db
      .insertInto('patrols')
      .values({
        id: uuidv7(),
        business_id: id,
        region_id: w.regions.uA1.id,
        region_path: w.regions.uA1.path,
        type: 'routine',
        channel: 'grid_patrol',
        patroller_id: w.users.gridMemberA1.id,
        patroller_role: 'grid_member',
        patrolled_at: new Date(Date.now() + 2000),
        passed: false,
        failed_count: 2,
      })
      .execute();
    const r = await t.api(gridMember).get(`/api/v1/businesses/${id}/history?limit=2`);
    expect(r.status).toBe(200);
    expect(r.body.items[0]).toMatchObject({ kind: 'patrol', title: '日常巡查：2项不合格' });
    expect(r.body.items[1]).toMatchObject({ kind: 'event', title: '后厨卫生不达标' });
    expect(r.body.items[1].detail).toMatchObject({ channel: 'grid_patrol', state: 'open' });
    expect(r.body.nextCursor).not.toBeNull();
    const p2 = await t.api(gridMember).get(`/api/v1/businesses/${id}/history?limit=2&cursor=${r.body.nextCursor}`);
    expect(p2.body.items.map((i: any) => i.title)).toEqual(['人工调整分级', '登记主体']);
    expect(p2.body.nextCursor).toBeNull();
    expect((await t.api(stationB).get(`/api/v1/businesses/${id}/history`)).status).toBe(404);
    // a business account in the same unit does not see events about its neighbour
    await user(t.ctx.db, 'hist_biz', 'business', { region: w.regions.uA1 });
    const biz = await t.api(await t.login('hist_biz')).get(`/api/v1/businesses/${id}/history`);
    expect(biz.status).toBe(200);
    expect(biz.body.items.map((i: any) => i.kind)).toEqual(['registry', 'registry']);
  });
});

describe('I4 access matrix on the registry', () => {
  // who sees a business in unit A1 (township A1, county A) and who does not
  const cases: [string, boolean, boolean][] = [
    // username, sees it, role may edit the registry
    ['w_admin', true, true],
    ['w_unit_a1', true, false],
    ['w_grid_a1', true, false],
    ['w_gridlead_a1', true, false],
    ['w_village_a1', true, false],
    ['w_station_a1', true, true],
    ['w_station_a2', false, true],
    ['w_station_b1', false, true],
    ['w_bureau_a', true, true],
    ['w_bureau_b', false, true],
    ['w_city', true, true],
    ['w_brigade_a', true, false],
    ['w_fso_a', true, true],
    ['w_cadre_a1', true, false],
    ['w_grid_b1', false, false],
  ];
  let id: string;
  beforeAll(async () => {
    id = (await t.api(station).post('/api/v1/businesses', { ...base(), name: '权限矩阵测试店' })).body.id;
  });

  it.each(cases)('When %s asks for it, then it is visible (%s) and editable by role (%s) only inside the jurisdiction', async (username, sees, writer) => {
    const token = await t.login(username);
    const get = await t.api(token).get(`/api/v1/businesses/${id}`);
    expect(get.status).toBe(sees ? 200 : 404);
    const list = await t.api(token).get(`/api/v1/businesses?q=${encodeURIComponent('权限矩阵测试店')}`);
    expect(list.body.items.map((b: any) => b.id)).toEqual(sees ? [id] : []);
    const hist = await t.api(token).get(`/api/v1/businesses/${id}/history`);
    expect(hist.status).toBe(sees ? 200 : 404);
    const patch = await t.api(token).patch(`/api/v1/businesses/${id}`, { address: `${username}改的地址` });
    // the role is checked first (403); a writer outside the jurisdiction gets 404
    expect(patch.status).toBe(!writer ? 403 : sees ? 200 : 404);
  });
});
