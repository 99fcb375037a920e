import fs from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { computeGrade, type BusinessType } from '../../domain/grading.js';
import { computeRiskLevel } from '../../domain/risk.js';
import { DEFAULT_DUTIES, type WorkingGroupPosition } from '../../domain/working-groups.js';
import type { Role } from '../../domain/roles.js';
import { Rng } from './random.js';
import { businessName, personName, shortTownshipName, shortVillageName } from './names.js';
import { jyLicence, scLicence, uscc } from './codes.js';

/**
 * H5: the demo world as plain rows, built by a pure, seeded function (no I/O but reading the
 * committed division file). The loader writes these rows; tests count them.
 */

export interface PutianData {
  source: string;
  city: { code: string; name: string };
  counties: [string, string][];
  townships: [string, string, string][];
  villages: [string, string, string][];
}

let cached: PutianData | undefined;
export function putianDivisions(): PutianData {
  return (cached ??= JSON.parse(fs.readFileSync(new URL('./putian.json', import.meta.url), 'utf8')) as PutianData);
}

export interface DemoRegion {
  id: number;
  code: string;
  name: string;
  level: 'city' | 'county' | 'township' | 'village' | 'grid' | 'unit';
  parent_id: number | null;
  path: string;
  depth: number;
}
export interface DemoOrg {
  id: number;
  type: string;
  name: string;
  code: string;
  region_id: number;
  parent_id: number | null;
  department_kind: string | null;
  is_branch: boolean;
}
export interface DemoUser {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  region_id: number | null;
  organization_id: number | null;
  phone: string | null;
  /** Role business: the business the account speaks for (E8). */
  business_id?: string;
}
export interface DemoBusiness {
  id: string;
  name: string;
  credit_code: string | null;
  license_no: string | null;
  license_expiry: string | null;
  type: BusinessType;
  region_id: number;
  region_path: string;
  address: string;
  lat: number;
  lng: number;
  diners_count: number | null;
  employees: number | null;
  revenue_wan: number | null;
  grade: string;
  grade_computed: string;
  /** B2: the Chinese explanation of the computed grade. */
  grade_basis: string;
  risk_level: string;
  credit_risk_class: string;
  status: string;
  food_safety_director: string | null;
  food_safety_officer: string | null;
  contact_name: string;
  contact_phone: string;
  insured: boolean;
  insurance_expiry: string | null;
  product_tags: string[];
  created_at: string;
}
export interface DemoWorld {
  regions: DemoRegion[];
  organizations: DemoOrg[];
  jurisdictions: { organization_id: number; region_id: number }[];
  users: DemoUser[];
  assignments: { user_id: string; village_id: number }[];
  groups: { id: number; organization_id: number; name: string }[];
  members: { group_id: number; user_id: string; position: WorkingGroupPosition; duty: string }[];
  businesses: DemoBusiness[];
}

export interface BuildOptions {
  /** First free ids: the world is inserted with precomputed ids and paths. */
  regionIdBase?: number;
  orgIdBase?: number;
  groupIdBase?: number;
  businesses?: number;
  /** Reference day for licence expiry and creation dates (counts and names do not depend on it). */
  today?: Date;
  seed?: number;
}

/** Romanised slugs used in the documented usernames (licheng_staff …). */
export const COUNTY_SLUGS: Record<string, string> = {
  '350302': 'chengxiang',
  '350303': 'hanjiang',
  '350304': 'licheng',
  '350305': 'xiuyu',
  '350322': 'xianyou',
};
const COUNTY_CENTRES: Record<string, [number, number]> = {
  '350302': [25.43, 118.95],
  '350303': [25.5, 119.08],
  '350304': [25.43, 119.03],
  '350305': [25.28, 119.1],
  '350322': [25.37, 118.7],
};
export const MEIZHOU_TOWNSHIPS = ['湄洲镇'];
export const BEIAN_TOWNSHIPS = ['忠门镇', '东埔镇', '东峤镇', '山亭镇'];
export const BRIGADE_NAMES = [
  '莆田市市场监督管理局综合行政执法支队一大队',
  '莆田市市场监督管理局综合行政执法支队二大队',
  '莆田市市场监督管理局综合行政执法支队三大队',
  '莆田市市场监督管理局综合行政执法支队四大队',
  '莆田市市场监督管理局综合行政执法支队五大队',
  '莆田市市场监督管理局综合行政执法支队六大队',
  '仙游县市场监督管理局执法大队',
];
const DEPARTMENTS: [kind: string, name: string, slug: string][] = [
  ['education', '教育局', 'education'],
  ['agriculture', '农业农村局', 'agriculture'],
  ['urban_management', '城市管理局', 'urban'],
  ['health', '卫生健康局', 'health'],
];
const ROADS = ['荔城大道', '学园路', '东园路', '胜利路', '梅园路', '文献路', '延寿路', '城港大道', '兴安路', '八二一街', '木兰大道', '天妃路', '渡里路', '鲤中路', '八二一南街', '霞林路', '园顶路', '工业路', '滨海路', '新街'];

const BUSINESS_TYPES_WEIGHTS: Record<BusinessType, number> = {
  catering: 30,
  sales: 28,
  stall: 12,
  workshop: 8,
  production: 6,
  farm: 6,
  school_canteen: 5,
  kindergarten_canteen: 5,
  other: 0,
};

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

export function buildDemoWorld(opts: BuildOptions = {}): DemoWorld {
  const data = putianDivisions();
  const seed = opts.seed ?? 3503;
  const today = opts.today ?? new Date();
  const rng = new Rng(seed);
  const idRng = rng.fork('ids');
  let uuidClock = Date.UTC(2026, 0, 1);
  const uuid = () => uuidv7({ msecs: uuidClock++, random: idRng.bytes(16) });
  const phone = (r: Rng) => `1${r.pick(['35', '36', '37', '38', '39', '50', '51', '58', '59', '77', '80', '86', '89'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`;

  // ---- regions ----------------------------------------------------------------------------
  const regions: DemoRegion[] = [];
  let nextRegionId = opts.regionIdBase ?? 1;
  const addRegion = (code: string, name: string, level: DemoRegion['level'], parent: DemoRegion | null): DemoRegion => {
    const id = nextRegionId++;
    const path = `${parent?.path ?? '/'}${id}/`;
    const r: DemoRegion = { id, code, name, level, parent_id: parent?.id ?? null, path, depth: parent ? parent.depth + 1 : 0 };
    regions.push(r);
    return r;
  };
  const city = addRegion(`${data.city.code}00`, data.city.name, 'city', null);
  const counties = new Map<string, DemoRegion>();
  for (const [code, name] of data.counties) counties.set(code, addRegion(code, name, 'county', city));
  const townships = new Map<string, DemoRegion>();
  const townshipCounty = new Map<string, string>();
  for (const [code, name, county] of data.townships) {
    townships.set(code, addRegion(code, name, 'township', counties.get(county)!));
    townshipCounty.set(code, county);
  }
  const villages: { region: DemoRegion; short: string; township: string; grids: { region: DemoRegion; units: DemoRegion[] }[] }[] = [];
  const gridRng = rng.fork('grids');
  for (const [code, name, township] of data.villages) {
    const v = addRegion(code, name, 'village', townships.get(township)!);
    const short = shortVillageName(name);
    const grids: (typeof villages)[number]['grids'] = [];
    const nGrids = gridRng.int(3, 8);
    for (let g = 1; g <= nGrids; g++) {
      const grid = addRegion(`${code}${String(g).padStart(2, '0')}`, `${short}第${g}网格`, 'grid', v);
      const units: DemoRegion[] = [];
      const nUnits = gridRng.int(3, 10);
      for (let u = 1; u <= nUnits; u++) units.push(addRegion(`${grid.code}${String(u).padStart(2, '0')}`, `${grid.name}第${u}单元`, 'unit', grid));
      grids.push({ region: grid, units });
    }
    villages.push({ region: v, short, township, grids });
  }
  const townshipByName = (name: string) => {
    const t = [...townships.values()].find((r) => r.name === name && r.code.startsWith('350305'));
    if (!t) throw new Error(`demo world: township ${name} of 秀屿区 not in the division data`);
    return t;
  };
  const meizhou = MEIZHOU_TOWNSHIPS.map(townshipByName);
  const beian = BEIAN_TOWNSHIPS.map(townshipByName);
  const branchTownshipIds = new Set([...meizhou, ...beian].map((t) => t.id));
  const xiuyu = counties.get('350305')!;
  const xiuyuBureauArea = [...townships.values()].filter((t) => t.parent_id === xiuyu.id && !branchTownshipIds.has(t.id));

  // ---- organisations ----------------------------------------------------------------------
  const organizations: DemoOrg[] = [];
  const jurisdictions: DemoWorld['jurisdictions'] = [];
  let nextOrgId = opts.orgIdBase ?? 1;
  const addOrg = (o: Omit<DemoOrg, 'id' | 'department_kind' | 'is_branch'> & Partial<DemoOrg>, area: DemoRegion[]): DemoOrg => {
    const org: DemoOrg = { department_kind: null, is_branch: false, ...o, id: nextOrgId++ };
    organizations.push(org);
    for (const r of area) jurisdictions.push({ organization_id: org.id, region_id: r.id });
    return org;
  };
  const countyPrefix = (c: DemoRegion) => (c.name.endsWith('县') ? c.name : `${city.name}${c.name}`);

  const cityBureau = addOrg({ type: 'city_bureau', name: '莆田市市场监督管理局', code: `${city.code}-bureau`, region_id: city.id, parent_id: null }, [city]);
  const countyBureaus = new Map<string, DemoOrg>();
  for (const [code, c] of counties) {
    const area = code === '350305' ? xiuyuBureauArea : [c];
    countyBureaus.set(code, addOrg({ type: 'county_bureau', name: `${countyPrefix(c)}市场监督管理局`, code: `${code}-bureau`, region_id: c.id, parent_id: cityBureau.id }, area));
  }
  const meizhouBureau = addOrg(
    { type: 'county_bureau', name: '莆田市市场监督管理局湄洲岛分局', code: `${city.code}-meizhoudao`, region_id: meizhou[0].id, parent_id: cityBureau.id, is_branch: true },
    meizhou,
  );
  const beianBureau = addOrg(
    { type: 'county_bureau', name: '莆田市市场监督管理局北岸分局', code: `${city.code}-beian`, region_id: beian[0].id, parent_id: cityBureau.id, is_branch: true },
    beian,
  );
  const bureauOfTownship = (t: DemoRegion) =>
    meizhou.includes(t) ? meizhouBureau : beian.includes(t) ? beianBureau : countyBureaus.get(townshipCounty.get(t.code)!)!;

  const stations = new Map<string, DemoOrg>();
  for (const [code, t] of townships) {
    const county = counties.get(townshipCounty.get(code)!)!;
    stations.set(
      code,
      addOrg({ type: 'station', name: `${county.name}${shortTownshipName(t.name)}市场监督管理所`, code: `${code}-station`, region_id: t.id, parent_id: bureauOfTownship(t).id }, [t]),
    );
  }
  const brigadeAreas: [DemoRegion, DemoRegion[], DemoOrg][] = [
    [city, [counties.get('350304')!], cityBureau],
    [city, [counties.get('350302')!], cityBureau],
    [city, [counties.get('350303')!], cityBureau],
    [city, xiuyuBureauArea, cityBureau],
    [city, meizhou, cityBureau],
    [city, beian, cityBureau],
    [counties.get('350322')!, [counties.get('350322')!], countyBureaus.get('350322')!],
  ];
  const brigades = brigadeAreas.map(([seat, area, parent], i) =>
    addOrg({ type: 'enforcement_brigade', name: BRIGADE_NAMES[i], code: i < 6 ? `${city.code}-brigade-${i + 1}` : '350322-brigade', region_id: seat.id, parent_id: parent.id }, area),
  );
  const fsoCity = addOrg({ type: 'food_safety_office', name: '莆田市食品安全委员会办公室', code: `${city.code}-fso`, region_id: city.id, parent_id: null }, [city]);
  const fsoCounty = new Map<string, DemoOrg>();
  for (const [code, c] of counties)
    fsoCounty.set(code, addOrg({ type: 'food_safety_office', name: `${countyPrefix(c)}食品安全委员会办公室`, code: `${code}-fso`, region_id: c.id, parent_id: fsoCity.id }, [c]));
  const fsoTownship = new Map<string, DemoOrg>();
  for (const [code, t] of townships)
    fsoTownship.set(
      code,
      addOrg({ type: 'food_safety_office', name: `${t.name}食品安全委员会办公室`, code: `${code}-fso`, region_id: t.id, parent_id: fsoCounty.get(townshipCounty.get(code)!)!.id }, [t]),
    );
  const platforms = new Map<number, DemoOrg>();
  for (const v of villages)
    platforms.set(
      v.region.id,
      addOrg({ type: 'platform_center', name: `${v.short}社会治理平台中心`, code: `${v.region.code}-platform`, region_id: v.region.id, parent_id: null }, [v.region]),
    );
  const departments = new Map<string, [DemoOrg, string][]>();
  for (const [code, c] of counties)
    departments.set(
      code,
      DEPARTMENTS.map(([kind, name, slug]) => [
        addOrg({ type: 'department', name: `${countyPrefix(c)}${name}`, code: `${code}-${slug}`, region_id: c.id, parent_id: null, department_kind: kind }, [c]),
        slug,
      ]),
    );

  // ---- users ------------------------------------------------------------------------------
  const users: DemoUser[] = [];
  const userRng = rng.fork('users');
  const addUser = (username: string, role: Role, region: DemoRegion | null, org: DemoOrg | null, displayName?: string): DemoUser => {
    const u: DemoUser = {
      id: uuid(),
      username,
      display_name: displayName ?? personName(userRng),
      role,
      region_id: region?.id ?? null,
      organization_id: org?.id ?? null,
      phone: phone(userRng),
    };
    users.push(u);
    return u;
  };
  const bureauStaff = new Map<number, DemoUser[]>();
  const staffOf = (slug: string, org: DemoOrg, region: DemoRegion | null, n: number) => {
    const list: DemoUser[] = [];
    for (let i = 1; i <= n; i++) list.push(addUser(i === 1 ? `${slug}_staff` : `${slug}_staff_${i}`, 'bureau_staff', region, org));
    bureauStaff.set(org.id, list);
  };
  staffOf('city', cityBureau, city, 8);
  for (const [code, c] of counties) staffOf(COUNTY_SLUGS[code], countyBureaus.get(code)!, c, 6);
  // Branch bureau staff have no home region: their scope is the bureau's jurisdiction (not only
  // the seat township), and they are never taken for holders of events another bureau holds.
  staffOf('meizhoudao', meizhouBureau, null, 5);
  staffOf('beian', beianBureau, null, 5);

  const officers = brigades.map((b, i) => {
    const list: DemoUser[] = [];
    const prefix = i < 6 ? `brigade${i + 1}` : 'xianyou_brigade';
    // Officers' jurisdiction is their brigade's map, not the seat (the city for 一…六大队).
    for (let k = 1; k <= 5; k++) list.push(addUser(`${prefix}_${k}`, 'enforcement_officer', null, b));
    return list;
  });

  addUser('city_fso', 'food_safety_office', city, fsoCity);
  addUser('city_fso_2', 'food_safety_office', city, fsoCity);
  for (const [code, c] of counties) {
    addUser(`${COUNTY_SLUGS[code]}_fso`, 'food_safety_office', c, fsoCounty.get(code)!);
    addUser(`${COUNTY_SLUGS[code]}_fso_2`, 'food_safety_office', c, fsoCounty.get(code)!);
    for (const [dept, slug] of departments.get(code)!) {
      // Jurisdiction from the department (the county); no home region, so one department's staff
      // are never taken for holders of another department's events.
      addUser(`${COUNTY_SLUGS[code]}_${slug}`, 'department_staff', null, dept);
      addUser(`${COUNTY_SLUGS[code]}_${slug}_2`, 'department_staff', null, dept);
    }
    addUser(`${COUNTY_SLUGS[code]}_admin`, 'admin', c, null, `${c.name}系统管理员`);
    addUser(`inspector_${COUNTY_SLUGS[code]}`, 'inspector', c, null);
    addUser(`inspector_${COUNTY_SLUGS[code]}_2`, 'inspector', c, null);
  }
  addUser('inspector_city', 'inspector', city, null);

  const assignments: DemoWorld['assignments'] = [];
  const stationStaff = new Map<string, DemoUser[]>();
  const staffRng = rng.fork('station-staff');
  for (const [code, t] of townships) {
    const n = staffRng.int(4, 8);
    const list: DemoUser[] = [];
    for (let i = 1; i <= n; i++) list.push(addUser(`station_${code}_${i}`, 'station_staff', t, stations.get(code)!));
    stationStaff.set(code, list);
    addUser(`fso_${code}`, 'food_safety_office', t, fsoTownship.get(code)!);
    // 包保 street-level cadres (S3 R1): three per township.
    for (let i = 1; i <= 3; i++) addUser(`cadre_${code}_${i}`, 'cadre', t, null);
    addUser(`inspector_${code}`, 'inspector', t, null);
  }
  // H4: two station staff per village, each staff member covering several villages in turn.
  const villagesOfTownship = new Map<string, number>();
  for (const v of villages) {
    const list = stationStaff.get(v.township)!;
    const i = villagesOfTownship.get(v.township) ?? 0;
    villagesOfTownship.set(v.township, i + 1);
    const a = list[(2 * i) % list.length];
    const b = list[(2 * i + 1) % list.length];
    assignments.push({ user_id: a.id, village_id: v.region.id }, { user_id: b.id, village_id: v.region.id });
  }

  for (const v of villages) {
    addUser(`village_${v.region.code}`, 'village_coordinator', v.region, platforms.get(v.region.id)!);
    // 包保 residential-area cadre (S3 R1) and a volunteer (社会监督员) per village/community.
    addUser(`cadre_${v.region.code}`, 'cadre', v.region, null);
    addUser(`volunteer_${v.region.code}`, 'volunteer', v.region, null);
    for (const g of v.grids) {
      addUser(`gridlead_${g.region.code}`, 'grid_leader', g.region, null);
      addUser(`grid_${g.region.code}`, 'grid_member', g.region, null);
      for (const u of g.units) addUser(`unit_${u.code}`, 'unit_leader', u, null);
    }
  }

  // ---- working groups (H3) ----------------------------------------------------------------
  const groups: DemoWorld['groups'] = [];
  const members: DemoWorld['members'] = [];
  let nextGroupId = opts.groupIdBase ?? 1;
  const bureausWithGroups: [DemoOrg, DemoOrg, DemoOrg | undefined][] = [
    [cityBureau, brigades[0], undefined],
    ...[...countyBureaus.entries()].map(([code, b]): [DemoOrg, DemoOrg, DemoOrg | undefined] => [
      b,
      code === '350322' ? brigades[6] : brigades[['350304', '350302', '350303', '350305'].indexOf(code)],
      [...stations.values()].find((s) => s.parent_id === b.id),
    ]),
    [meizhouBureau, brigades[4], [...stations.values()].find((s) => s.parent_id === meizhouBureau.id)],
    [beianBureau, brigades[5], [...stations.values()].find((s) => s.parent_id === beianBureau.id)],
  ];
  for (const [bureau, brigade, station] of bureausWithGroups) {
    const g = { id: nextGroupId++, organization_id: bureau.id, name: `${bureau.name}食品安全社会治理工作专班` };
    groups.push(g);
    const staff = bureauStaff.get(bureau.id)!;
    const positions: WorkingGroupPosition[] = ['leader', 'executive_deputy', 'deputy', 'deputy', 'office', 'business_section', 'member', 'member'];
    staff.forEach((u, i) => members.push({ group_id: g.id, user_id: u.id, position: positions[i], duty: DEFAULT_DUTIES[positions[i]] }));
    const officer = officers[brigades.indexOf(brigade)][0];
    members.push({ group_id: g.id, user_id: officer.id, position: 'enforcement', duty: DEFAULT_DUTIES.enforcement });
    const st = station ? stationStaff.get(station.code!.replace('-station', ''))![0] : undefined;
    if (st) members.push({ group_id: g.id, user_id: st.id, position: 'station', duty: DEFAULT_DUTIES.station });
  }

  // ---- businesses (B1–B3) -----------------------------------------------------------------
  const businesses: DemoBusiness[] = [];
  const bizRng = rng.fork('businesses');
  const creditCodes = new Set<string>();
  const villageWeights = villages.map((v) => (v.region.name.includes('社区') ? 3 : 1));
  const totalWeight = villageWeights.reduce((s, w) => s + w, 0);
  const pickVillage = () => {
    let x = bizRng.next() * totalWeight;
    for (let i = 0; i < villages.length; i++) if ((x -= villageWeights[i]) < 0) return villages[i];
    return villages[villages.length - 1];
  };
  const nBusinesses = opts.businesses ?? 4000;
  for (let i = 0; i < nBusinesses; i++) {
    const v = pickVillage();
    const grid = bizRng.pick(v.grids);
    const unit = bizRng.pick(grid.units);
    const t = townships.get(v.township)!;
    const countyCode = townshipCounty.get(v.township)!;
    const county = counties.get(countyCode)!;
    const type = bizRng.weighted(BUSINESS_TYPES_WEIGHTS);
    const parts = businessName(bizRng, type, countyPrefix(county), shortTownshipName(t.name), v.short, i);

    let employees: number | null = null;
    let revenue: number | null = null;
    let diners: number | null = null;
    switch (type) {
      case 'production':
        employees = Math.round(bizRng.logUniform(3, 1500));
        revenue = Math.round(bizRng.logUniform(30, 60000));
        break;
      case 'sales':
        employees = Math.round(bizRng.logUniform(1, 400));
        revenue = Math.round(bizRng.logUniform(5, 30000));
        break;
      case 'catering':
        employees = Math.round(bizRng.logUniform(1, 350));
        revenue = Math.round(bizRng.logUniform(5, 12000));
        break;
      case 'farm':
        employees = Math.round(bizRng.logUniform(2, 80));
        revenue = Math.round(bizRng.logUniform(5, 3000));
        break;
      case 'school_canteen':
        diners = Math.round(bizRng.logUniform(80, 3600));
        employees = Math.max(3, Math.round(diners / 60));
        break;
      case 'kindergarten_canteen':
        diners = Math.round(bizRng.logUniform(40, 600));
        employees = Math.max(2, Math.round(diners / 50));
        break;
      case 'workshop':
        employees = bizRng.int(1, 12);
        revenue = Math.round(bizRng.logUniform(3, 200));
        break;
      default:
        employees = bizRng.int(1, 3);
    }
    // Some registry rows lack survey figures, as real ones do (grading then says so).
    if (type !== 'school_canteen' && type !== 'kindergarten_canteen' && bizRng.chance(0.05)) revenue = null;
    const graded = computeGrade({ type, employees, revenueWan: revenue, dinersCount: diners, productTags: parts.productTags });

    const kind: '1' | '2' | '3' = type === 'farm' ? '3' : type === 'stall' || type === 'workshop' || (type === 'catering' && (employees ?? 0) < 10) ? '2' : '1';
    let credit: string | null = null;
    if (type !== 'stall' || bizRng.chance(0.3)) {
      let serial = bizRng.int(10_000_000, 99_999_999);
      credit = uscc(kind, countyCode, serial);
      while (creditCodes.has(credit)) credit = uscc(kind, countyCode, ++serial);
      creditCodes.add(credit);
    }
    let licence: string | null = null;
    if (type === 'production') licence = scLicence(Number(parts.scCategory ?? '101'), countyCode, i);
    else if (type === 'sales') licence = jyLicence(1, countyCode, i);
    else if (type === 'catering') licence = jyLicence(2, countyCode, i);
    else if (type === 'school_canteen' || type === 'kindergarten_canteen') licence = jyLicence(3, countyCode, i);
    const expiry = licence ? iso(addDays(today, bizRng.int(-20, 5 * 365))) : null;

    const tags = parts.productTags;
    const risk = computeRiskLevel({ type, productTags: tags }).level;
    const status = bizRng.weighted({ operating: 94, suspended: 3, revoked: 1, closed: 2 });
    const big = type === 'production' || type === 'school_canteen' || type === 'kindergarten_canteen' || graded.grade === 'A' || graded.grade === 'B';
    const insured = type === 'school_canteen' || type === 'kindergarten_canteen' ? bizRng.chance(0.9) : type === 'catering' ? bizRng.chance(0.35) : bizRng.chance(0.1);
    const [lat0, lng0] = COUNTY_CENTRES[countyCode];
    const [lat, lng] = meizhou.includes(t) ? [25.07, 119.12] : [lat0, lng0];
    // Registered up to three years ago; the id carries that time (UUIDv7 order = registration order).
    const created = new Date(addDays(today, -bizRng.int(30, 3 * 365)).getTime() + bizRng.int(8 * 3600, 18 * 3600) * 1000);
    businesses.push({
      id: uuidv7({ msecs: created.getTime(), random: idRng.bytes(16) }),
      name: parts.name,
      credit_code: credit,
      license_no: licence,
      license_expiry: expiry,
      type,
      region_id: unit.id,
      region_path: unit.path,
      address: `福建省${city.name}${county.name}${t.name}${v.short}${bizRng.pick(ROADS)}${bizRng.int(1, 388)}号`,
      lat: Math.round((lat + (bizRng.next() - 0.5) * 0.08) * 1e6) / 1e6,
      lng: Math.round((lng + (bizRng.next() - 0.5) * 0.08) * 1e6) / 1e6,
      diners_count: diners,
      employees,
      revenue_wan: revenue,
      grade: graded.grade,
      grade_computed: graded.grade,
      grade_basis: graded.reasonZh,
      risk_level: risk,
      credit_risk_class: bizRng.weighted({ A: 30, B: 55, C: 12, D: 3 }),
      status,
      food_safety_director: big ? personName(bizRng) : null,
      food_safety_officer: big || bizRng.chance(0.4) ? personName(bizRng) : null,
      contact_name: personName(bizRng),
      contact_phone: phone(bizRng),
      insured,
      insurance_expiry: insured ? iso(addDays(today, bizRng.int(10, 365))) : null,
      product_tags: tags,
      created_at: created.toISOString(),
    });
  }
  // Business accounts (self-inspection, rectification feedback): every 20th registered business.
  for (let i = 0; i < businesses.length; i += 20) {
    const b = businesses[i];
    if (!b.credit_code) continue;
    const unit = regions[b.region_id - (opts.regionIdBase ?? 1)];
    addUser(`biz_${b.credit_code.toLowerCase()}`, 'business', unit, null, b.name).business_id = b.id;
  }

  return { regions, organizations, jurisdictions, users, assignments, groups, members, businesses };
}
