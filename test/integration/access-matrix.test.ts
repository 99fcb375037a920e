import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { smallWorld, type SmallWorld } from '../helpers/world.js';
import { can } from '../../src/domain/access.js';
import type { Role } from '../../src/domain/roles.js';

/**
 * I3/I4 as a matrix: every role of the small world × read / list / write × inside / outside its
 * jurisdiction, through HTTP. Outside answers 404 (never 403); a write the role may not do is 403.
 */
let t: TestApp;
let w: SmallWorld;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  w = await smallWorld(t.ctx.db);
  for (const [k, u] of Object.entries(w.users)) tokens[k] = await t.login(u.username);
});
afterAll(async () => t?.close());

type Case = { key: keyof SmallWorld['users']; role: Role; inside: () => number; outside: () => number | null };
const cases: Case[] = [
  { key: 'admin', role: 'admin', inside: () => w.regions.tB1.id, outside: () => null },
  { key: 'unitLeaderA1', role: 'unit_leader', inside: () => w.regions.uA1.id, outside: () => w.regions.gA1.id },
  { key: 'gridMemberA1', role: 'grid_member', inside: () => w.regions.uA1.id, outside: () => w.regions.gB1.id },
  { key: 'gridLeaderA1', role: 'grid_leader', inside: () => w.regions.gA1.id, outside: () => w.regions.vA1.id },
  { key: 'villageA1', role: 'village_coordinator', inside: () => w.regions.gA1.id, outside: () => w.regions.vA2.id },
  { key: 'stationA1', role: 'station_staff', inside: () => w.regions.vA1.id, outside: () => w.regions.vA2.id },
  { key: 'stationB1', role: 'station_staff', inside: () => w.regions.vB1.id, outside: () => w.regions.vA1.id },
  { key: 'bureauA', role: 'bureau_staff', inside: () => w.regions.tA2.id, outside: () => w.regions.tB1.id },
  { key: 'cityStaff', role: 'bureau_staff', inside: () => w.regions.countyB.id, outside: () => null },
  { key: 'brigadeA', role: 'enforcement_officer', inside: () => w.regions.uA1.id, outside: () => w.regions.uB1.id },
  { key: 'eduA', role: 'department_staff', inside: () => w.regions.tA1.id, outside: () => w.regions.countyB.id },
  { key: 'fsoA', role: 'food_safety_office', inside: () => w.regions.vA2.id, outside: () => w.regions.vB1.id },
  { key: 'cadreA1', role: 'cadre', inside: () => w.regions.vA1.id, outside: () => w.regions.tA2.id },
];

describe.each(cases)('role $role ($key)', ({ key, role, inside, outside }) => {
  it('When reading a region inside the jurisdiction, then 200; outside, then 404', async () => {
    const api = t.api(tokens[key]);
    const inRes = await api.get(`/api/v1/regions/${inside()}`);
    expect(inRes.status).toBe(200);
    expect(inRes.body.id).toBe(String(inside()));
    const out = outside();
    if (out !== null) {
      const outRes = await api.get(`/api/v1/regions/${out}`);
      expect(outRes.status).toBe(404);
      expect(outRes.body.error.code).toBe('not_found');
    }
  });

  it('When listing regions by level, then nothing outside the jurisdiction appears', async () => {
    const api = t.api(tokens[key]);
    const all = [
      ...(await api.get('/api/v1/regions?level=village&limit=100')).body.items,
      ...(await api.get('/api/v1/regions?level=unit&limit=100')).body.items,
    ];
    const me = await api.get('/api/v1/me');
    for (const r of all) {
      const full = await t.ctx.db.selectFrom('regions').select('path').where('id', '=', Number(r.id)).executeTakeFirstOrThrow();
      expect(me.body.scope.some((p: string) => full.path.startsWith(p))).toBe(true);
    }
    const out = outside();
    if (out !== null) expect(all.map((r: any) => r.id)).not.toContain(String(out));
  });

  it('When creating a region, then only an admin may (others 403) and only inside the jurisdiction', async () => {
    const api = t.api(tokens[key]);
    const res = await api.post('/api/v1/regions', { parentId: String(inside()), code: `M${key}`.slice(0, 20), name: '矩阵测试', level: 'unit' });
    if (can(role, 'regions.write')) {
      expect(res.status).toBe(201);
      expect(res.body.parentId).toBe(String(inside()));
    } else {
      expect(res.status).toBe(403);
      const none = await t.ctx.db.selectFrom('regions').select('id').where('code', '=', `M${key}`.slice(0, 20)).executeTakeFirst();
      expect(none).toBeUndefined();
    }
  });

  it('When listing users, then only permitted roles may, and only users inside the jurisdiction come back', async () => {
    const api = t.api(tokens[key]);
    const res = await api.get('/api/v1/users?limit=200');
    if (!can(role, 'users.read')) {
      expect(res.status).toBe(403);
      return;
    }
    expect(res.status).toBe(200);
    const names = res.body.items.map((u: any) => u.username);
    expect(names.length).toBeGreaterThan(0);
    for (const u of res.body.items) expect(u.phone).toMatch(/\*{4}/);
    if (key === 'stationA1') {
      expect(names).toContain('w_grid_a1');
      expect(names).not.toContain('w_grid_b1');
      expect(names).not.toContain('w_station_a2');
    }
    if (key === 'admin') expect(names).toContain('w_grid_b1');
  });
});

describe('organisations', () => {
  it('When a station looks at the brigade covering its county, then it sees it; the other county station does not', async () => {
    const id = w.orgs.brigadeA.id;
    expect((await t.api(tokens.stationA1).get(`/api/v1/organizations/${id}`)).status).toBe(200);
    expect((await t.api(tokens.stationB1).get(`/api/v1/organizations/${id}`)).status).toBe(404);
  });

  it('When an admin creates a brigade with a jurisdiction different from its seat, then members are scoped to that jurisdiction', async () => {
    const admin = t.api(tokens.admin);
    const res = await admin.post('/api/v1/organizations', {
      type: 'enforcement_brigade',
      name: '执法支队二大队',
      regionId: String(w.regions.city.id),
      jurisdictionRegionIds: [String(w.regions.countyB.id)],
    });
    expect(res.status).toBe(201);
    expect(res.body.jurisdictionRegionIds).toEqual([String(w.regions.countyB.id)]);
    const u = await admin.post('/api/v1/users', {
      username: 'brigade_two_officer',
      password: 'Brigade#2026x',
      displayName: '二大队执法员',
      role: 'enforcement_officer',
      organizationId: res.body.id,
    });
    expect(u.status).toBe(201);
    await t.ctx.db.updateTable('users').set({ must_change_password: false }).where('id', '=', u.body.id).execute();
    const tok = await t.login('brigade_two_officer', 'Brigade#2026x');
    expect((await t.api(tok).get(`/api/v1/regions/${w.regions.uB1.id}`)).status).toBe(200);
    expect((await t.api(tok).get(`/api/v1/regions/${w.regions.uA1.id}`)).status).toBe(404);
  });

  it('When a department is created without its kind, then 422 names departmentKind and nothing is written', async () => {
    const before = await t.ctx.db.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await t.api(tokens.admin).post('/api/v1/organizations', { type: 'department', name: '某局', regionId: String(w.regions.countyA.id) });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toBe('departmentKind');
    const after = await t.ctx.db.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('When a jurisdiction region is outside the admin scope or unknown, then 404 names the element', async () => {
    const res = await t.api(tokens.admin).post('/api/v1/organizations', {
      type: 'station',
      name: '某所',
      regionId: String(w.regions.tA1.id),
      jurisdictionRegionIds: [String(w.regions.tA1.id), '999999'],
    });
    expect(res.status).toBe(404);
    expect(res.body.error.field).toBe('jurisdictionRegionIds.1');
  });
});

describe('regions', () => {
  it('When a region is created, then its path extends the parent and duplicates of its code are refused', async () => {
    const admin = t.api(tokens.admin);
    const res = await admin.post('/api/v1/regions', { parentId: String(w.regions.gA1.id), code: '350000000000901', name: '新单元', level: 'unit' });
    expect(res.status).toBe(201);
    expect(res.body.path).toEqual([...w.regions.gA1.path.split('/').filter(Boolean), res.body.id]);
    const dup = await admin.post('/api/v1/regions', { parentId: String(w.regions.gA1.id), code: '350000000000901', name: '重复', level: 'unit' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe('code');
    const bad = await admin.post('/api/v1/regions', { parentId: String(w.regions.gA1.id), code: '350000000000902', name: '错层', level: 'township' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('level');
    const noLevel = await admin.post('/api/v1/regions', { parentId: String(w.regions.gA1.id), code: 'X1', name: '缺层级' });
    expect(noLevel.status).toBe(400);
    expect(noLevel.body.error.field).toBe('level');
  });

  it('When level names are configured, then they are returned merged with the defaults', async () => {
    const res = await t.api(tokens.admin).put('/api/v1/settings/region-levels', { township: { zh: '街道', en: 'Street' } });
    expect(res.status).toBe(200);
    const got = await t.api(tokens.stationA1).get('/api/v1/settings/region-levels');
    expect(got.body.township.zh).toBe('街道');
    expect(got.body.grid.zh).toBe('网格');
  });

  it('When station staff are assigned to a village, then only station staff covering it are accepted', async () => {
    const admin = t.api(tokens.admin);
    const ok = await admin.put(`/api/v1/regions/${w.regions.vA1.id}/station-staff`, { userIds: [w.users.stationA1.id] });
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((x: any) => x.userId)).toEqual([w.users.stationA1.id]);
    const wrong = await admin.put(`/api/v1/regions/${w.regions.vA1.id}/station-staff`, { userIds: [w.users.stationA1.id, w.users.stationB1.id] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.field).toBe('userIds.1');
  });
});

describe('working groups (H3)', () => {
  it('When a bureau gets a working group, then members carry the duties of seed 000 and exactly one leader is required', async () => {
    const admin = t.api(tokens.admin);
    const noLeader = await admin.post(`/api/v1/organizations/${w.orgs.bureauA.id}/working-groups`, {
      name: '食品安全社会治理工作专班',
      members: [{ userId: w.users.bureauA.id, position: 'deputy' }],
    });
    expect(noLeader.status).toBe(422);
    expect(noLeader.body.error.field).toBe('members');
    const res = await admin.post(`/api/v1/organizations/${w.orgs.bureauA.id}/working-groups`, {
      name: '食品安全社会治理工作专班',
      members: [
        { userId: w.users.bureauA.id, position: 'leader' },
        { userId: w.users.fsoA.id, position: 'office' },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.members[0]).toMatchObject({ position: 'leader', positionLabel: '组长' });
    expect(res.body.members[0].duty).toContain('全面工作');
    const list = await t.api(tokens.bureauA).get(`/api/v1/organizations/${w.orgs.bureauA.id}/working-groups`);
    expect(list.body.items).toHaveLength(1);
  });
});
