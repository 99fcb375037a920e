import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../context.js';
import type { BusinessesTable } from '../../db/schema.js';
import { BUSINESS_TYPE_LABELS, computeGrade, type BusinessType, type Grade } from '../../domain/grading.js';
import { inScope } from '../../domain/access.js';
import { pathIds } from '../../domain/hierarchy.js';
import { supervisionRule, RISK_LEVEL_LABELS, type RiskLevel } from '../../domain/risk.js';
import { maskPhone } from '../identity/store.js';
import { likePrefix, scopeCondition } from '../regions/store.js';

export type BusinessRow = Selectable<BusinessesTable>;

export interface Team {
  businessId: string;
  /** 2: station staff assigned to the business's village (station_village_assignments). */
  stationStaff: string[];
  /** 3: the grid leader and grid member of its grid, the unit leader of its unit. */
  gridLeaders: string[];
  gridMembers: string[];
  unitLeaders: string[];
  /** N: citizens following it. */
  followers: number;
  /** Every user id above, deduplicated. */
  userIds: string[];
  members: { id: string; role: string; displayName: string; phone: string | null; part: 'station' | 'grid' | 'unit' }[];
}

export interface Business {
  id: string;
  name: string;
  creditCode: string | null;
  licenseNo: string | null;
  licenseExpiry: string | null;
  type: BusinessType;
  typeLabel: string;
  regionId: string;
  regionPath: string[];
  address: string | null;
  location: { lat: number; lng: number } | null;
  dinersCount: number | null;
  employees: number | null;
  revenueWan: number | null;
  grade: Grade;
  gradeComputed: Grade;
  gradeBasis: string | null;
  gradeOverride: { grade: Grade; reason: string | null; by: string | null; at: string | null } | null;
  riskLevel: RiskLevel;
  riskLevelLabel: string;
  riskLevelManual: boolean;
  creditRiskClass: string | null;
  supervision: { minPerQuarter: number; onSiteRequired: boolean };
  status: string;
  foodSafetyDirector: string | null;
  foodSafetyOfficer: string | null;
  contactName: string | null;
  contactPhone: string | null;
  insured: boolean;
  insuranceExpiry: string | null;
  productTags: string[];
  createdAt: string;
  updatedAt: string;
  team?: Team;
}

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

export function toBusiness(r: BusinessRow, opts: { unmaskPhone?: boolean } = {}): Business {
  return {
    id: r.id,
    name: r.name,
    creditCode: r.credit_code,
    licenseNo: r.license_no,
    licenseExpiry: r.license_expiry,
    type: r.type as BusinessType,
    typeLabel: BUSINESS_TYPE_LABELS[r.type as BusinessType] ?? r.type,
    regionId: String(r.region_id),
    regionPath: pathIds(r.region_path).map(String),
    address: r.address,
    location: r.lat != null && r.lng != null ? { lat: r.lat, lng: r.lng } : null,
    dinersCount: r.diners_count,
    employees: r.employees,
    revenueWan: r.revenue_wan,
    grade: r.grade as Grade,
    gradeComputed: r.grade_computed as Grade,
    // rows loaded in bulk (demo world) may lack the text; it is a pure function of the row
    gradeBasis:
      r.grade_basis ??
      computeGrade({ type: r.type as BusinessType, employees: r.employees, revenueWan: r.revenue_wan, dinersCount: r.diners_count, productTags: r.product_tags }).reasonZh,
    gradeOverride: r.grade_override
      ? { grade: r.grade_override as Grade, reason: r.grade_override_reason, by: r.grade_override_by, at: iso(r.grade_override_at) }
      : null,
    riskLevel: r.risk_level as RiskLevel,
    riskLevelLabel: RISK_LEVEL_LABELS[r.risk_level as RiskLevel] ?? r.risk_level,
    riskLevelManual: r.risk_level_manual,
    creditRiskClass: r.credit_risk_class,
    supervision: supervisionRule(r.risk_level as RiskLevel),
    status: r.status,
    foodSafetyDirector: r.food_safety_director,
    foodSafetyOfficer: r.food_safety_officer,
    contactName: r.contact_name,
    contactPhone: opts.unmaskPhone ? r.contact_phone : maskPhone(r.contact_phone),
    insured: r.insured,
    insuranceExpiry: r.insurance_expiry,
    productTags: r.product_tags ?? [],
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export async function findBusiness(db: Tx, id: string): Promise<BusinessRow | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return db.selectFrom('businesses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** I4: a business outside the caller's jurisdiction is "not found". */
export async function findBusinessInScope(db: Tx, id: string, scope: readonly string[]): Promise<BusinessRow | undefined> {
  const b = await findBusiness(db, id);
  return b && inScope(scope, b.region_path) ? b : undefined;
}

export interface BusinessFilter {
  /** Subtree prefix (already checked to be inside the scope). */
  regionPath?: string;
  grade?: string;
  type?: string;
  riskLevel?: string;
  status?: string;
  creditRiskClass?: string;
  q?: string;
  /** Licences expiring on or before this date (YYYY-MM-DD). */
  licenseExpiringBy?: string;
}

/** The WHERE clause of a registry list or export: jurisdiction first, then the filters. */
export function filterConditions(scope: readonly string[], f: BusinessFilter) {
  const conds = [scopeCondition('b.region_path', scope)];
  if (f.regionPath) conds.push(sql<boolean>`b.region_path LIKE ${likePrefix(f.regionPath)}`);
  if (f.grade) conds.push(sql<boolean>`b.grade = ${f.grade}`);
  if (f.type) conds.push(sql<boolean>`b.type = ${f.type}`);
  if (f.riskLevel) conds.push(sql<boolean>`b.risk_level = ${f.riskLevel}`);
  if (f.status) conds.push(sql<boolean>`b.status = ${f.status}`);
  if (f.creditRiskClass) conds.push(sql<boolean>`b.credit_risk_class = ${f.creditRiskClass}`);
  if (f.licenseExpiringBy) conds.push(sql<boolean>`b.license_expiry <= ${f.licenseExpiringBy}::date`);
  if (f.q) {
    const esc = f.q.replace(/[\\%_]/g, (c) => '\\' + c);
    if (/^[0-9A-Za-z-]{6,}$/.test(f.q)) {
      // a pasted credit code or licence number: prefix search on the codes (pattern indexes)
      const prefix = esc.toUpperCase() + '%';
      conds.push(sql<boolean>`(b.credit_code LIKE ${prefix} OR b.license_no LIKE ${prefix} OR b.name ILIKE ${'%' + esc + '%'})`);
    } else {
      // words: name or address, both trigram-indexed
      conds.push(sql<boolean>`(b.name ILIKE ${'%' + esc + '%'} OR b.address ILIKE ${'%' + esc + '%'})`);
    }
  }
  return sql.join(conds, sql` AND `);
}

/** Keyset page over the registry, newest first (ids are UUIDv7, so id order is creation order). */
export async function listBusinessRows(db: Tx, scope: readonly string[], f: BusinessFilter, limit: number, after?: string): Promise<BusinessRow[]> {
  const where = filterConditions(scope, f);
  const cursor = after ? sql`AND b.id < ${after}::uuid` : sql``;
  if (!f.regionPath && scope.includes('/')) {
    // the whole registry: newest first straight off the primary key
    return (await sql<BusinessRow>`SELECT b.* FROM businesses b WHERE ${where} ${cursor} ORDER BY b.id DESC LIMIT ${limit}`.execute(db)).rows;
  }
  // A subtree: collect its ids first (path index), then the newest page of them.
  return (
    await sql<BusinessRow>`WITH ids AS MATERIALIZED (SELECT b.id FROM businesses b WHERE ${where} ${cursor})
      SELECT b.* FROM (SELECT id FROM ids ORDER BY id DESC LIMIT ${limit}) t JOIN businesses b ON b.id = t.id ORDER BY b.id DESC`.execute(db)
  ).rows;
}

/**
 * H4 1+2+3+N: the station staff assigned to the business's village, the grid leader and member
 * of its grid, the unit leader of its unit, and the count of followers. Disabled accounts are not
 * part of a team.
 */
export async function teamOf(db: Tx, b: Pick<BusinessRow, 'id' | 'region_id' | 'region_path'>): Promise<Team> {
  const ids = pathIds(b.region_path);
  const ancestors = await db.selectFrom('regions').select(['id', 'level']).where('id', 'in', ids).execute();
  const village = ancestors.find((r) => r.level === 'village');
  const grid = ancestors.find((r) => r.level === 'grid');
  const unitId = b.region_id;
  const station = village
    ? await db
        .selectFrom('station_village_assignments as a')
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .select(['u.id', 'u.role', 'u.display_name', 'u.phone'])
        .where('a.village_id', '=', village.id)
        .where('u.disabled', '=', false)
        .orderBy('u.username')
        .execute()
    : [];
  const local = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.role', 'u.display_name', 'u.phone', 'u.region_id'])
    .where('u.disabled', '=', false)
    .where((eb) =>
      eb.or([
        ...(grid ? [eb.and([eb('u.region_id', '=', grid.id), eb('u.role', 'in', ['grid_leader', 'grid_member'])])] : []),
        eb.and([eb('u.region_id', '=', unitId), eb('u.role', '=', 'unit_leader')]),
      ]),
    )
    .orderBy('u.username')
    .execute();
  const followers = await db
    .selectFrom('business_followers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('business_id', '=', b.id)
    .executeTakeFirstOrThrow();
  const byRole = (role: string) => local.filter((u) => u.role === role).map((u) => u.id);
  const members = [
    ...station.map((u) => ({ id: u.id, role: u.role, displayName: u.display_name, phone: maskPhone(u.phone), part: 'station' as const })),
    ...local.map((u) => ({
      id: u.id,
      role: u.role,
      displayName: u.display_name,
      phone: maskPhone(u.phone),
      part: u.role === 'unit_leader' ? ('unit' as const) : ('grid' as const),
    })),
  ];
  return {
    businessId: b.id,
    stationStaff: station.map((u) => u.id),
    gridLeaders: byRole('grid_leader'),
    gridMembers: byRole('grid_member'),
    unitLeaders: byRole('unit_leader'),
    followers: Number(followers.n),
    userIds: [...new Set(members.map((m) => m.id))],
    members,
  };
}
