import { v7 as uuidv7 } from 'uuid';
import { sql } from 'kysely';
import type { Tx } from '../../src/context.js';
import type { Role, OrgType } from '../../src/domain/roles.js';
import { childPath } from '../../src/domain/hierarchy.js';
import { hashPassword } from '../../src/modules/identity/passwords.js';
import { TEST_PASSWORD } from './app.js';

/**
 * Factories that write straight to the database, for test set-up only (the behaviour under test
 * goes through HTTP). One password hash is shared by all factory users to keep set-up fast.
 */
let hashed: Promise<string> | undefined;
const passwordHash = () => (hashed ??= hashPassword(TEST_PASSWORD));

export interface RegionRef {
  id: number;
  path: string;
  code: string;
  level: string;
}

let seq = 0;
export async function region(db: Tx, level: string, name: string, parent?: RegionRef, code?: string): Promise<RegionRef> {
  const { id } = (await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('regions', 'id'))::bigint AS id`.execute(db)).rows[0];
  const path = childPath(parent?.path ?? null, Number(id));
  const c = code ?? `T${Number(id)}x${++seq}`;
  await db
    .insertInto('regions')
    .values({ id: Number(id), code: c, name, level, parent_id: parent?.id ?? null, path, depth: path.split('/').filter(Boolean).length - 1 })
    .execute();
  return { id: Number(id), path, code: c, level };
}

export async function organization(db: Tx, type: OrgType, name: string, seat: RegionRef, jurisdiction: RegionRef[] = [seat], extra: { departmentKind?: string } = {}) {
  const row = await db
    .insertInto('organizations')
    .values({ type, name, region_id: seat.id, department_kind: extra.departmentKind ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('organization_jurisdictions')
    .values(jurisdiction.map((j) => ({ organization_id: row.id, region_id: j.id })))
    .execute();
  return { id: row.id };
}

export async function user(
  db: Tx,
  username: string,
  role: Role,
  where: { region?: RegionRef | null; organizationId?: number | null; phone?: string; mustChange?: boolean } = {},
) {
  const id = uuidv7();
  await db
    .insertInto('users')
    .values({
      id,
      username,
      display_name: username,
      role,
      region_id: where.region?.id ?? null,
      organization_id: where.organizationId ?? null,
      phone: where.phone ?? '13800138000',
      password_hash: await passwordHash(),
      must_change_password: where.mustChange ?? false,
    })
    .execute();
  return { id, username };
}

/**
 * A small two-county world: city > 2 counties > 2 townships each > 1 village > 1 grid > 1 unit,
 * with a station per township, bureaus, a brigade covering county A, and one user of each
 * field and station role in township A1. Enough for access-matrix and routing tests.
 */
export async function smallWorld(db: Tx) {
  const city = await region(db, 'city', '测试市');
  const countyA = await region(db, 'county', '甲区', city);
  const countyB = await region(db, 'county', '乙县', city);
  const tA1 = await region(db, 'township', '甲一街道', countyA);
  const tA2 = await region(db, 'township', '甲二镇', countyA);
  const tB1 = await region(db, 'township', '乙一镇', countyB);
  const vA1 = await region(db, 'village', '甲一社区', tA1);
  const vA2 = await region(db, 'village', '甲二村', tA2);
  const vB1 = await region(db, 'village', '乙一村', tB1);
  const gA1 = await region(db, 'grid', '甲一社区第1网格', vA1);
  const gB1 = await region(db, 'grid', '乙一村第1网格', vB1);
  const uA1 = await region(db, 'unit', '甲一社区第1网格第1单元', gA1);
  const uB1 = await region(db, 'unit', '乙一村第1网格第1单元', gB1);

  const cityBureau = await organization(db, 'city_bureau', '测试市市场监督管理局', city);
  const bureauA = await organization(db, 'county_bureau', '甲区市场监督管理局', countyA);
  const bureauB = await organization(db, 'county_bureau', '乙县市场监督管理局', countyB);
  const stationA1 = await organization(db, 'station', '甲一市场监管所', tA1);
  const stationA2 = await organization(db, 'station', '甲二市场监管所', tA2);
  const stationB1 = await organization(db, 'station', '乙一市场监管所', tB1);
  const brigadeA = await organization(db, 'enforcement_brigade', '执法支队一大队', city, [countyA]);
  const platformA1 = await organization(db, 'platform_center', '甲一社区平台中心', vA1);
  const eduA = await organization(db, 'department', '甲区教育局', countyA, [countyA], { departmentKind: 'education' });

  const users = {
    admin: await user(db, 'w_admin', 'admin'),
    unitLeaderA1: await user(db, 'w_unit_a1', 'unit_leader', { region: uA1 }),
    gridMemberA1: await user(db, 'w_grid_a1', 'grid_member', { region: gA1 }),
    gridLeaderA1: await user(db, 'w_gridlead_a1', 'grid_leader', { region: gA1 }),
    villageA1: await user(db, 'w_village_a1', 'village_coordinator', { region: vA1, organizationId: platformA1.id }),
    stationA1: await user(db, 'w_station_a1', 'station_staff', { region: tA1, organizationId: stationA1.id }),
    stationA2: await user(db, 'w_station_a2', 'station_staff', { region: tA2, organizationId: stationA2.id }),
    stationB1: await user(db, 'w_station_b1', 'station_staff', { region: tB1, organizationId: stationB1.id }),
    bureauA: await user(db, 'w_bureau_a', 'bureau_staff', { region: countyA, organizationId: bureauA.id }),
    bureauB: await user(db, 'w_bureau_b', 'bureau_staff', { region: countyB, organizationId: bureauB.id }),
    cityStaff: await user(db, 'w_city', 'bureau_staff', { region: city, organizationId: cityBureau.id }),
    brigadeA: await user(db, 'w_brigade_a', 'enforcement_officer', { organizationId: brigadeA.id }),
    eduA: await user(db, 'w_edu_a', 'department_staff', { region: countyA, organizationId: eduA.id }),
    fsoA: await user(db, 'w_fso_a', 'food_safety_office', { region: countyA }),
    cadreA1: await user(db, 'w_cadre_a1', 'cadre', { region: tA1 }),
    gridMemberB1: await user(db, 'w_grid_b1', 'grid_member', { region: gB1 }),
  };
  await db.insertInto('station_village_assignments').values({ user_id: users.stationA1.id, village_id: vA1.id }).execute();
  return {
    regions: { city, countyA, countyB, tA1, tA2, tB1, vA1, vA2, vB1, gA1, gB1, uA1, uB1 },
    orgs: { cityBureau, bureauA, bureauB, stationA1, stationA2, stationB1, brigadeA, platformA1, eduA },
    users,
  };
}
export type SmallWorld = Awaited<ReturnType<typeof smallWorld>>;

/** A food business in a unit (events tests). */
export async function foodBusiness(db: Tx, name: string, unit: RegionRef, type = 'catering') {
  const id = uuidv7();
  await db
    .insertInto('businesses')
    .values({ id, name, type, region_id: unit.id, region_path: unit.path, grade: 'D', grade_computed: 'D' })
    .execute();
  return { id, name };
}
