import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import type { AppContext, Tx } from '../../context.js';
import { can, type Actor } from '../../domain/access.js';
import { conflict, forbidden, invalid, notFound } from '../../domain/errors.js';
import { computeGrade, effectiveGrade, type BusinessType, type Grade } from '../../domain/grading.js';
import { computeRiskLevel, type CreditRiskClass, type RiskLevel } from '../../domain/risk.js';
import { writeAudit } from '../audit/store.js';
import { enqueueOutbox } from '../notifications/store.js';
import { getRegionInScope, type RegionRow } from '../regions/store.js';
import { isPlausiblePhone, isValidCreditCode, normalizeCode } from './rules.js';
import {
  findBusinessInScope,
  listBusinessRows,
  teamOf,
  toBusiness,
  type Business,
  type BusinessFilter,
  type BusinessRow,
} from './store.js';

export const BUSINESS_STATUSES = ['operating', 'suspended', 'revoked', 'closed'] as const;
export type BusinessStatus = (typeof BUSINESS_STATUSES)[number];
export const STATUS_LABELS: Record<BusinessStatus, string> = { operating: '在营', suspended: '停产停业', revoked: '吊销许可证', closed: '注销/歇业' };

/** The registry fields a client (or an import row) supplies. */
export interface BusinessFields {
  name: string;
  creditCode?: string | null;
  licenseNo?: string | null;
  licenseExpiry?: string | null;
  type: BusinessType;
  address?: string | null;
  location?: { lat: number; lng: number } | null;
  dinersCount?: number | null;
  employees?: number | null;
  revenueWan?: number | null;
  riskLevel?: RiskLevel | null;
  creditRiskClass?: CreditRiskClass | null;
  status?: BusinessStatus;
  foodSafetyDirector?: string | null;
  foodSafetyOfficer?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  insured?: boolean;
  insuranceExpiry?: string | null;
  productTags?: string[];
}

export interface CreateBusinessInput extends BusinessFields {
  regionId: string;
}

export interface FieldError {
  field: string;
  code: string;
  zh: string;
  en: string;
}

const CANTEENS: readonly string[] = ['school_canteen', 'kindergarten_canteen'];

/**
 * Cross-field rules that a schema cannot express; returns every problem (the importer reports
 * them all per row; the API answers the first).
 */
export function checkFields(f: Partial<BusinessFields>, type: string | undefined, dinersCount: number | null | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (f.creditCode != null && f.creditCode !== '' && !isValidCreditCode(normalizeCode(f.creditCode))) {
    errs.push({
      field: 'creditCode',
      code: 'invalid_credit_code',
      zh: '统一社会信用代码无效（应为18位且校验位正确，GB 32100-2015）',
      en: 'unified social credit code is invalid (18 characters with a GB 32100 check character)',
    });
  }
  if (f.licenseNo) {
    // 食品生产许可证 SC + 14 digits, 食品经营许可证 JY + 14 digits; other registrations (小作坊登记证,
    // 摊贩登记卡) follow provincial formats and are not checked.
    const n = normalizeCode(f.licenseNo);
    if ((n.startsWith('SC') && !/^SC\d{14}$/.test(n)) || (n.startsWith('JY') && !/^JY\d{14}$/.test(n))) {
      errs.push({
        field: 'licenseNo',
        code: 'invalid_license_no',
        zh: '许可证编号格式不正确（SC/JY 后应为14位数字）',
        en: 'licence number must be SC or JY followed by 14 digits',
      });
    }
  }
  if (type && CANTEENS.includes(type) && (dinersCount == null || !Number.isFinite(dinersCount))) {
    errs.push({
      field: 'dinersCount',
      code: 'diners_required',
      zh: '学校、幼儿园食堂须填写就餐人数（分级依据）',
      en: 'school and kindergarten canteens need the diners count (it decides the grade)',
    });
  }
  if (f.contactPhone && !f.contactPhone.includes('*') && !isPlausiblePhone(f.contactPhone)) {
    errs.push({ field: 'contactPhone', code: 'invalid_phone', zh: '联系电话格式不正确', en: 'contact phone is not a valid number' });
  }
  return errs;
}

function raise(errs: FieldError[]): void {
  if (errs.length) throw invalid(errs[0].code, errs[0].field, errs[0].zh, errs[0].en);
}

/** The business's unit: inside the caller's jurisdiction (else 404) and of level unit (else 422). */
export async function unitForBusiness(db: Tx, regionId: string, scope: readonly string[]): Promise<RegionRow> {
  const r = await getRegionInScope(db, regionId, scope, 'regionId');
  if (r.level !== 'unit') {
    throw invalid('region_not_unit', 'regionId', '主体须登记到单元（网格下的最小层级）', 'a business belongs to a unit (the lowest level of the region tree)');
  }
  return r;
}

const orNull = <T>(v: T | undefined | null): T | null => (v === undefined ? null : v);
const trimOrNull = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : null;
};

/** A complete new row from validated fields (no I/O): computed grade and risk included. */
export function newBusinessRow(f: BusinessFields, unit: RegionRow, now: Date) {
  const tags = [...new Set(f.productTags ?? [])];
  const g = computeGrade({ type: f.type, employees: f.employees, revenueWan: f.revenueWan, dinersCount: f.dinersCount, productTags: tags });
  const risk = f.riskLevel ?? computeRiskLevel({ type: f.type, productTags: tags }).level;
  return {
    id: newId(),
    name: f.name.trim(),
    credit_code: f.creditCode ? normalizeCode(f.creditCode) : null,
    license_no: f.licenseNo ? normalizeCode(f.licenseNo) : null,
    license_expiry: orNull(f.licenseExpiry),
    type: f.type,
    region_id: unit.id,
    region_path: unit.path,
    address: trimOrNull(f.address),
    lat: f.location?.lat ?? null,
    lng: f.location?.lng ?? null,
    diners_count: orNull(f.dinersCount),
    employees: orNull(f.employees),
    revenue_wan: orNull(f.revenueWan),
    grade: g.grade,
    grade_computed: g.grade,
    grade_basis: g.reasonZh,
    risk_level: risk,
    risk_level_manual: f.riskLevel != null,
    credit_risk_class: orNull(f.creditRiskClass),
    status: f.status ?? 'operating',
    food_safety_director: trimOrNull(f.foodSafetyDirector),
    food_safety_officer: trimOrNull(f.foodSafetyOfficer),
    contact_name: trimOrNull(f.contactName),
    contact_phone: trimOrNull(f.contactPhone),
    insured: f.insured ?? false,
    insurance_expiry: orNull(f.insuranceExpiry),
    product_tags: tags,
    created_at: now,
    updated_at: now,
  };
}

function uniqueViolation(e: unknown): boolean {
  return (e as any)?.code === '23505';
}

const duplicateCode = () => conflict('credit_code_taken', '该统一社会信用代码已登记', 'a business with this credit code is already registered', 'creditCode');

/** Staff who may edit the registry see contact phones in full on the detail page (audited). */
const seesPhones = (actor: Actor) => can(actor.role, 'businesses.write');

export async function createBusiness(ctx: AppContext, actor: Actor, input: CreateBusinessInput, ip?: string): Promise<Business> {
  raise(checkFields(input, input.type, input.dinersCount));
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const unit = await unitForBusiness(trx, input.regionId, actor.scope);
      const row = newBusinessRow(input, unit, ctx.now());
      if (row.credit_code) {
        const dup = await trx.selectFrom('businesses').select('id').where('credit_code', '=', row.credit_code).executeTakeFirst();
        if (dup) throw duplicateCode();
      }
      const saved = await trx.insertInto('businesses').values(row).returningAll().executeTakeFirstOrThrow();
      await writeAudit(trx, {
        action: 'business_created',
        actorId: actor.id,
        actorName: actor.username,
        entity: 'business',
        entityId: saved.id,
        ip,
        detail: { name: saved.name, type: saved.type, regionId: String(saved.region_id), grade: saved.grade, riskLevel: saved.risk_level },
      });
      const b = toBusiness(saved, { unmaskPhone: seesPhones(actor) });
      b.team = await teamOf(trx, saved);
      return b;
    });
  } catch (e) {
    if (uniqueViolation(e)) throw duplicateCode();
    throw e;
  }
}

export async function getBusiness(ctx: AppContext, actor: Actor, id: string, ip?: string): Promise<Business> {
  const row = await findBusinessInScope(ctx.db, id, actor.scope);
  if (!row) throw notFound('business', '主体');
  const unmask = seesPhones(actor) && !!row.contact_phone;
  if (unmask) {
    // I6: reading a person's full phone number is a sensitive read.
    await writeAudit(ctx.db, { action: 'business_contact_read', actorId: actor.id, actorName: actor.username, entity: 'business', entityId: row.id, ip });
  }
  const b = toBusiness(row, { unmaskPhone: unmask });
  b.team = await teamOf(ctx.db, row);
  return b;
}

export interface UpdateBusinessInput extends Partial<BusinessFields> {
  regionId?: string;
  gradeOverride?: Grade | null;
  gradeOverrideReason?: string | null;
}

const COLUMN_OF: Record<string, keyof BusinessRow> = {
  name: 'name',
  creditCode: 'credit_code',
  licenseNo: 'license_no',
  licenseExpiry: 'license_expiry',
  type: 'type',
  address: 'address',
  dinersCount: 'diners_count',
  employees: 'employees',
  revenueWan: 'revenue_wan',
  creditRiskClass: 'credit_risk_class',
  status: 'status',
  foodSafetyDirector: 'food_safety_director',
  foodSafetyOfficer: 'food_safety_officer',
  contactName: 'contact_name',
  contactPhone: 'contact_phone',
  insured: 'insured',
  insuranceExpiry: 'insurance_expiry',
  productTags: 'product_tags',
};

/**
 * Edit a business. Changing type, size, diners or tags regrades it (the override, if any, stays
 * in force); a grade override needs its own permission and a reason, and records who and when.
 */
export async function updateBusiness(ctx: AppContext, actor: Actor, id: string, input: UpdateBusinessInput, ip?: string): Promise<Business> {
  const touchesOverride = input.gradeOverride !== undefined;
  const editsFields = Object.keys(input).some((k) => k !== 'gradeOverride' && k !== 'gradeOverrideReason');
  if (touchesOverride && !can(actor.role, 'businesses.grade_override')) {
    throw forbidden('您的角色无权调整主体分级', `role ${actor.role} may not override a grade`);
  }
  if ((editsFields || !touchesOverride) && !can(actor.role, 'businesses.write')) throw forbidden('您的角色无权修改主体信息', `role ${actor.role} may not edit businesses`);
  if (input.gradeOverride && !(input.gradeOverrideReason ?? '').trim()) {
    throw invalid('override_reason_required', 'gradeOverrideReason', '调整分级须说明理由', 'a grade override needs a reason');
  }
  if (input.name !== undefined && !input.name.trim()) throw invalid('required', 'name', '名称不能为空', 'name is required');

  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const cur = await trx
        .selectFrom('businesses')
        .selectAll()
        .where('id', '=', /^[0-9a-f-]{36}$/i.test(id) ? id : '00000000-0000-0000-0000-000000000000')
        .forUpdate()
        .executeTakeFirst();
      if (!cur || !(actor.scope.includes('/') || actor.scope.some((p) => cur.region_path.startsWith(p)))) throw notFound('business', '主体');

      const type = (input.type ?? cur.type) as BusinessType;
      const diners = input.dinersCount !== undefined ? input.dinersCount : cur.diners_count;
      raise(checkFields(input, type, diners));

      const set: Record<string, unknown> = {};
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, col] of Object.entries(COLUMN_OF)) {
        const v = (input as any)[k];
        if (v === undefined) continue;
        let nv = v;
        if (k === 'creditCode' || k === 'licenseNo') nv = v ? normalizeCode(v) : null;
        else if (typeof v === 'string') nv = v.trim() || null;
        if (k === 'name') nv = v.trim();
        if (k === 'productTags') nv = [...new Set(v as string[])];
        if (JSON.stringify(nv) !== JSON.stringify(cur[col])) {
          set[col] = nv;
          changed[k] = { from: k === 'contactPhone' ? '(hidden)' : cur[col], to: k === 'contactPhone' ? '(hidden)' : nv };
        }
      }
      if (input.location !== undefined) {
        set.lat = input.location?.lat ?? null;
        set.lng = input.location?.lng ?? null;
      }
      if (input.regionId !== undefined && input.regionId !== String(cur.region_id)) {
        const unit = await unitForBusiness(trx, input.regionId, actor.scope);
        set.region_id = unit.id;
        set.region_path = unit.path;
        changed.regionId = { from: String(cur.region_id), to: String(unit.id) };
      }
      if (set.credit_code && set.credit_code !== cur.credit_code) {
        const dup = await trx
          .selectFrom('businesses')
          .select('id')
          .where('credit_code', '=', set.credit_code as string)
          .where('id', '<>', cur.id)
          .executeTakeFirst();
        if (dup) throw duplicateCode();
      }
      // B3: a risk level set by staff is kept; null hands it back to the rules.
      const tags = (set.product_tags as string[] | undefined) ?? cur.product_tags;
      let riskManual = cur.risk_level_manual;
      let risk = cur.risk_level;
      if (input.riskLevel !== undefined) {
        riskManual = input.riskLevel !== null;
        if (input.riskLevel !== null) risk = input.riskLevel;
      }
      if (!riskManual) risk = computeRiskLevel({ type, productTags: tags }).level;
      if (risk !== cur.risk_level) changed.riskLevel = { from: cur.risk_level, to: risk };
      set.risk_level = risk;
      set.risk_level_manual = riskManual;

      const g = computeGrade({
        type,
        employees: input.employees !== undefined ? input.employees : cur.employees,
        revenueWan: input.revenueWan !== undefined ? input.revenueWan : cur.revenue_wan,
        dinersCount: diners,
        productTags: tags,
      });
      set.grade_computed = g.grade;
      set.grade_basis = g.reasonZh;
      let override = cur.grade_override as Grade | null;
      if (touchesOverride) {
        override = input.gradeOverride ?? null;
        set.grade_override = override;
        set.grade_override_reason = override ? input.gradeOverrideReason!.trim() : null;
        set.grade_override_by = override ? actor.id : null;
        set.grade_override_at = override ? ctx.now() : null;
      }
      set.grade = effectiveGrade(g.grade, override);
      if (set.grade !== cur.grade) changed.grade = { from: cur.grade, to: set.grade };
      set.updated_at = ctx.now();

      const saved = await trx.updateTable('businesses').set(set).where('id', '=', cur.id).returningAll().executeTakeFirstOrThrow();
      if (touchesOverride) {
        await writeAudit(trx, {
          action: override ? 'business_grade_overridden' : 'business_grade_override_cleared',
          actorId: actor.id,
          actorName: actor.username,
          entity: 'business',
          entityId: cur.id,
          ip,
          detail: { from: cur.grade, to: saved.grade, computed: g.grade, reason: saved.grade_override_reason },
        });
      }
      const fieldChanges = Object.fromEntries(Object.entries(changed).filter(([k]) => k !== 'grade' || !touchesOverride));
      if (Object.keys(fieldChanges).length) {
        await writeAudit(trx, { action: 'business_updated', actorId: actor.id, actorName: actor.username, entity: 'business', entityId: cur.id, ip, detail: fieldChanges });
      }
      if (changed.status) {
        // S3 §三(一): penalties such as 停产停业/吊销 are reported to the business's 包保 cadre.
        await enqueueOutbox(
          trx,
          'business.status_changed',
          { businessId: cur.id, name: saved.name, from: cur.status, to: saved.status, regionPath: saved.region_path, at: ctx.now().toISOString() },
          'internal',
        );
      }
      const b = toBusiness(saved, { unmaskPhone: seesPhones(actor) });
      b.team = await teamOf(trx, saved);
      return b;
    });
  } catch (e) {
    if (uniqueViolation(e)) throw duplicateCode();
    throw e;
  }
}

export interface ListQuery extends Omit<BusinessFilter, 'regionPath'> {
  regionId?: string;
  limit: number;
  cursor?: string;
}

/** Resolves `regionId` to a subtree inside the caller's scope (404 outside). */
export async function resolveFilter(ctx: AppContext, actor: Actor, q: Omit<ListQuery, 'limit' | 'cursor'>): Promise<BusinessFilter> {
  const { regionId, ...rest } = q;
  const f: BusinessFilter = { ...rest };
  if (regionId) f.regionPath = (await getRegionInScope(ctx.db, regionId, actor.scope, 'regionId')).path;
  return f;
}

export async function listBusinesses(ctx: AppContext, actor: Actor, q: ListQuery): Promise<{ items: Business[]; nextCursor: string | null }> {
  const { limit, cursor, ...filters } = q;
  if (cursor && !/^[0-9a-f-]{36}$/i.test(cursor)) throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'invalid cursor');
  const f = await resolveFilter(ctx, actor, filters);
  const rows = await listBusinessRows(ctx.db, actor.scope, f, limit + 1, cursor);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  // I5: phones are masked in lists whoever asks.
  return { items: page.map((r) => toBusiness(r)), nextCursor: more ? page[page.length - 1].id : null };
}

export interface HistoryItem {
  kind: 'event' | 'patrol' | 'registry';
  id: string;
  at: string;
  title: string;
  detail: Record<string, unknown>;
}

const OWN_ONLY_ROLES = new Set(['business', 'volunteer']);

const REGISTRY_ACTION_ZH: Record<string, string> = {
  business_created: '登记主体',
  business_updated: '修改主体信息',
  business_imported: '批量导入登记',
  business_grade_overridden: '人工调整分级',
  business_grade_override_cleared: '取消人工分级',
};

/**
 * B5 history: patrols (P1), the events about this business (patrol findings, reports,
 * supervision visits, penalties recorded on them) and the registry changes, newest first.
 * Other modules' records (red/black list, rectifications) join this timeline as they are built.
 */
export async function businessHistory(
  ctx: AppContext,
  actor: Actor,
  id: string,
  q: { limit: number; cursor?: string },
): Promise<{ items: HistoryItem[]; nextCursor: string | null }> {
  const b = await findBusinessInScope(ctx.db, id, actor.scope);
  if (!b) throw notFound('business', '主体');
  // Like the events module: a business or volunteer account sees only the events it reported.
  const ownOnly = OWN_ONLY_ROLES.has(actor.role) ? sql`AND e.collector_id = ${actor.id}` : sql``;
  const ownOnlyPatrols = OWN_ONLY_ROLES.has(actor.role) ? sql`AND false` : sql``;
  let after = sql``;
  if (q.cursor) {
    const m = /^(\d+)_(.+)$/.exec(q.cursor);
    if (!m) throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'invalid cursor');
    after = sql`WHERE (h.at_us, h.ref) < (${m[1]}::bigint, ${m[2]})`;
  }
  const rows = (
    await sql<{ kind: 'event' | 'patrol' | 'registry'; ref: string; at_us: string; at: Date; title: string; detail: any }>`
    SELECT * FROM (
      SELECT 'event' AS kind, e.id::text AS ref, (extract(epoch from e.created_at) * 1000000)::bigint AS at_us, e.created_at AS at, e.title AS title,
             json_build_object('channel', e.channel, 'state', e.state, 'tier', e.tier, 'categoryCode', e.category_code,
                               'caseNo', e.case_no, 'penalty', e.penalty, 'result', e.result, 'closedAt', e.closed_at) AS detail
        FROM events e WHERE e.business_id = ${b.id} ${ownOnly}
      UNION ALL
      SELECT 'patrol', p.id::text, (extract(epoch from p.patrolled_at) * 1000000)::bigint, p.patrolled_at,
             CASE p.type WHEN 'double_random' THEN '双随机检查' WHEN 'flight' THEN '飞行检查' WHEN 'unannounced' THEN '四不两直检查' ELSE '日常巡查' END
               || CASE WHEN p.passed THEN '：合格' ELSE '：' || p.failed_count || '项不合格' END,
             json_build_object('type', p.type, 'channel', p.channel, 'passed', p.passed, 'failedCount', p.failed_count,
                               'note', p.note, 'patrollerRole', p.patroller_role)
        FROM patrols p WHERE p.business_id = ${b.id} ${ownOnlyPatrols}
      UNION ALL
      SELECT 'registry', lpad(a.id::text, 20, '0'), (extract(epoch from a.at) * 1000000)::bigint, a.at, a.action,
             json_build_object('actor', a.actor_name, 'changes', a.detail)
        FROM audit_log a WHERE a.entity = 'business' AND a.entity_id = ${b.id} AND a.action <> 'business_contact_read'
    ) h ${after}
    ORDER BY h.at_us DESC, h.ref DESC LIMIT ${q.limit + 1}`.execute(ctx.db)
  ).rows;
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      kind: r.kind,
      id: r.kind === 'registry' ? String(Number(r.ref)) : r.ref,
      at: new Date(r.at).toISOString(),
      title: r.kind === 'registry' ? (REGISTRY_ACTION_ZH[r.title] ?? r.title) : r.title,
      detail: r.kind === 'registry' ? { action: r.title, ...(typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) } : r.detail,
    })),
    nextCursor: more ? `${page[page.length - 1].at_us}_${page[page.length - 1].ref}` : null,
  };
}
