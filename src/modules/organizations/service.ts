import { sql } from 'kysely';
import type { AppContext, Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import type { OrgType } from '../../domain/roles.js';
import { writeAudit } from '../audit/store.js';
import { findRegion, getRegionInScope, likePrefix } from '../regions/store.js';

export interface Organization {
  id: string;
  type: OrgType;
  name: string;
  code: string | null;
  regionId: string;
  parentId: string | null;
  departmentKind: string | null;
  isBranch: boolean;
  jurisdictionRegionIds: string[];
}

interface OrgRow {
  id: number;
  type: string;
  name: string;
  code: string | null;
  region_id: number;
  parent_id: number | null;
  department_kind: string | null;
  is_branch: boolean;
  seat_path: string;
  jurisdiction_ids: number[] | null;
  jurisdiction_paths: string[] | null;
}

function toOrg(r: OrgRow): Organization {
  return {
    id: String(r.id),
    type: r.type as OrgType,
    name: r.name,
    code: r.code,
    regionId: String(r.region_id),
    parentId: r.parent_id == null ? null : String(r.parent_id),
    departmentKind: r.department_kind,
    isBranch: r.is_branch,
    jurisdictionRegionIds: (r.jurisdiction_ids ?? []).map(String),
  };
}

const BASE = sql`
  SELECT o.id, o.type, o.name, o.code, o.region_id, o.parent_id, o.department_kind, o.is_branch, r.path AS seat_path,
         (SELECT array_agg(oj.region_id ORDER BY oj.region_id) FROM organization_jurisdictions oj WHERE oj.organization_id = o.id) AS jurisdiction_ids,
         (SELECT array_agg(jr.path) FROM organization_jurisdictions oj JOIN regions jr ON jr.id = oj.region_id WHERE oj.organization_id = o.id) AS jurisdiction_paths
    FROM organizations o JOIN regions r ON r.id = o.region_id`;

/**
 * An organisation is visible when its seat or any part of its jurisdiction is inside the
 * caller's scope, or when it covers the caller (a station sees the brigade and bureau above it).
 */
export function orgVisible(scope: readonly string[], r: Pick<OrgRow, 'seat_path' | 'jurisdiction_paths'>): boolean {
  if (inScope(scope, r.seat_path)) return true;
  for (const j of r.jurisdiction_paths ?? []) {
    if (inScope(scope, j)) return true;
    if (scope.some((s) => s.startsWith(j))) return true;
  }
  return false;
}

export async function findOrganizationRow(db: Tx, id: string | number): Promise<OrgRow | undefined> {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) return undefined;
  return (await sql<OrgRow>`${BASE} WHERE o.id = ${n}`.execute(db)).rows[0];
}

export async function getOrganization(ctx: AppContext, actor: Actor, id: string): Promise<Organization> {
  const r = await findOrganizationRow(ctx.db, id);
  if (!r || !orgVisible(actor.scope, r)) throw notFound('organization', '机构');
  return toOrg(r);
}

export async function listOrganizations(
  ctx: AppContext,
  actor: Actor,
  query: { type?: OrgType; regionId?: string; limit: number; cursor?: string },
): Promise<{ items: Organization[]; nextCursor: string | null }> {
  const conds = [sql`true`];
  if (query.type) conds.push(sql`o.type = ${query.type}`);
  if (query.regionId) {
    const reg = await getRegionInScope(ctx.db, query.regionId, actor.scope, 'regionId');
    // seated in the region's subtree, or covering any part of it
    conds.push(sql`(r.path LIKE ${likePrefix(reg.path)} OR EXISTS (SELECT 1 FROM organization_jurisdictions oj JOIN regions jr ON jr.id = oj.region_id
      WHERE oj.organization_id = o.id AND (jr.path LIKE ${likePrefix(reg.path)} OR ${reg.path} LIKE jr.path || '%')))`);
  }
  if (query.cursor) conds.push(sql`o.id > ${Number(query.cursor) || 0}`);
  // Filtering by visibility in SQL for the common case, refined in code for "covers the caller".
  const rows = (await sql<OrgRow>`${BASE} WHERE ${sql.join(conds, sql` AND `)} ORDER BY o.id`.execute(ctx.db)).rows.filter((r) =>
    orgVisible(actor.scope, r),
  );
  const items = rows.slice(0, query.limit);
  return { items: items.map(toOrg), nextCursor: rows.length > query.limit ? String(items[items.length - 1].id) : null };
}

export interface CreateOrganizationInput {
  type: OrgType;
  name: string;
  code?: string | null;
  regionId: string;
  parentId?: string | null;
  departmentKind?: string | null;
  isBranch?: boolean;
  jurisdictionRegionIds?: string[];
}

export async function createOrganization(ctx: AppContext, actor: Actor, input: CreateOrganizationInput, ip?: string): Promise<Organization> {
  if (input.type === 'department' && !input.departmentKind) {
    throw invalid('department_kind_required', 'departmentKind', '部门须注明类别（教育、农业农村、城管、卫健等）', 'departmentKind is required for departments');
  }
  const id = await ctx.db.transaction().execute(async (trx) => {
    const seat = await getRegionInScope(trx, input.regionId, actor.scope, 'regionId');
    if (input.parentId) {
      const p = await findOrganizationRow(trx, input.parentId);
      if (!p || !orgVisible(actor.scope, p)) throw notFound('parent organization', '上级机构', 'parentId');
    }
    const jur = input.jurisdictionRegionIds?.length ? input.jurisdictionRegionIds : [String(seat.id)];
    for (const [i, rid] of jur.entries()) {
      const r = await findRegion(trx, rid);
      if (!r || !inScope(actor.scope, r.path)) throw notFound('region', '区域', `jurisdictionRegionIds.${i}`);
    }
    const row = await trx
      .insertInto('organizations')
      .values({
        type: input.type,
        name: input.name,
        code: input.code ?? null,
        region_id: seat.id,
        parent_id: input.parentId ? Number(input.parentId) : null,
        department_kind: input.departmentKind ?? null,
        is_branch: input.isBranch ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('organization_jurisdictions')
      .values([...new Set(jur)].map((rid) => ({ organization_id: row.id, region_id: Number(rid) })))
      .execute();
    await writeAudit(trx, { action: 'organization_created', actorId: actor.id, actorName: actor.username, entity: 'organization', entityId: row.id, ip, detail: input });
    return row.id;
  });
  return getOrganization(ctx, actor, String(id));
}

export async function setJurisdiction(ctx: AppContext, actor: Actor, id: string, regionIds: string[], ip?: string): Promise<Organization> {
  await ctx.db.transaction().execute(async (trx) => {
    const o = await findOrganizationRow(trx, id);
    if (!o || !orgVisible(actor.scope, o)) throw notFound('organization', '机构');
    for (const [i, rid] of regionIds.entries()) {
      const r = await findRegion(trx, rid);
      if (!r || !inScope(actor.scope, r.path)) throw notFound('region', '区域', `regionIds.${i}`);
    }
    await trx.deleteFrom('organization_jurisdictions').where('organization_id', '=', o.id).execute();
    await trx
      .insertInto('organization_jurisdictions')
      .values([...new Set(regionIds)].map((rid) => ({ organization_id: o.id, region_id: Number(rid) })))
      .execute();
    await writeAudit(trx, { action: 'jurisdiction_changed', actorId: actor.id, actorName: actor.username, entity: 'organization', entityId: o.id, ip, detail: { regionIds } });
  });
  return getOrganization(ctx, actor, id);
}
