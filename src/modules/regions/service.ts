import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { checkChildLevel, childPath, DEFAULT_LEVEL_NAMES } from '../../domain/hierarchy.js';
import type { RegionLevel } from '../../domain/roles.js';
import { writeAudit } from '../audit/store.js';
import { findRegion, getRegionInScope, likePrefix, toRegion, type Region } from './store.js';

export interface ListRegionsQuery {
  parentId?: string;
  code?: string;
  level?: RegionLevel;
  q?: string;
  limit: number;
  cursor?: string;
}

/**
 * Regions the caller may see. Without a filter the caller's own top regions are listed, so a
 * client can start browsing from there.
 */
export async function listRegions(ctx: AppContext, actor: Actor, query: ListRegionsQuery): Promise<{ items: Region[]; nextCursor: string | null }> {
  let q = ctx.db.selectFrom('regions').selectAll();
  if (query.parentId) {
    const parent = await getRegionInScope(ctx.db, query.parentId, actor.scope, 'parentId');
    q = q.where('parent_id', '=', parent.id);
  }
  if (query.code) q = q.where('code', '=', query.code);
  if (query.level) q = q.where('level', '=', query.level);
  if (query.q) q = q.where('name', 'like', `%${query.q}%`);
  if (!query.parentId && !query.code && !query.level && !query.q) {
    // the roots of the caller's jurisdiction
    if (actor.scope.includes('/')) q = q.where('parent_id', 'is', null);
    else q = q.where('path', 'in', actor.scope.length ? actor.scope : ['-']);
  } else if (!actor.scope.includes('/')) {
    if (!actor.scope.length) return { items: [], nextCursor: null };
    q = q.where(sql<boolean>`(${sql.join(actor.scope.map((p) => sql`path LIKE ${likePrefix(p)}`), sql` OR `)})`);
  }
  if (query.cursor) q = q.where('code', '>', query.cursor);
  const rows = await q.orderBy('code').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  return { items: items.map(toRegion), nextCursor: more ? items[items.length - 1].code : null };
}

export async function getRegion(ctx: AppContext, actor: Actor, id: string) {
  const r = await getRegionInScope(ctx.db, id, actor.scope);
  const [children, ancestors] = await Promise.all([
    ctx.db.selectFrom('regions').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', r.id).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('regions').select(['id', 'name', 'level', 'code']).where('id', 'in', r.path.split('/').filter(Boolean).map(Number)).orderBy('depth').execute(),
  ]);
  return {
    ...toRegion(r),
    childCount: Number(children.n),
    ancestors: ancestors.map((a) => ({ id: String(a.id), name: a.name, level: a.level, code: a.code })),
  };
}

export interface CreateRegionInput {
  parentId?: string | null;
  code: string;
  name: string;
  level: RegionLevel;
}

export async function createRegion(ctx: AppContext, actor: Actor, input: CreateRegionInput, ip?: string): Promise<Region> {
  return ctx.db.transaction().execute(async (trx) => {
    let parent = null;
    if (input.parentId != null) {
      parent = await findRegion(trx, input.parentId);
      if (!parent || !inScope(actor.scope, parent.path)) throw notFound('parent region', '上级区域', 'parentId');
    } else if (!actor.scope.includes('/')) {
      throw invalid('parent_required', 'parentId', '只有全域管理员可以新建顶级区域', 'only a whole-tree admin may create a root region');
    }
    checkChildLevel((parent?.level as RegionLevel) ?? null, input.level);
    const dup = await trx.selectFrom('regions').select('id').where('code', '=', input.code).executeTakeFirst();
    if (dup) throw conflict('code_taken', '区划代码已存在', 'region code already exists', 'code');
    const { id } = (await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('regions', 'id'))::bigint AS id`.execute(trx)).rows[0];
    const path = childPath(parent?.path ?? null, Number(id));
    const row = await trx
      .insertInto('regions')
      .values({ id: Number(id), code: input.code, name: input.name, level: input.level, parent_id: parent?.id ?? null, path, depth: (parent?.depth ?? -1) + 1 })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { action: 'region_created', actorId: actor.id, actorName: actor.username, entity: 'region', entityId: row.id, ip, detail: input });
    return toRegion(row);
  });
}

export async function getLevelNames(ctx: AppContext): Promise<Record<string, { zh: string; en: string }>> {
  const r = await ctx.db.selectFrom('settings').select('value').where('key', '=', 'region_level_names').executeTakeFirst();
  return { ...DEFAULT_LEVEL_NAMES, ...((r?.value as any) ?? {}) };
}

export async function setLevelNames(ctx: AppContext, actor: Actor, names: Record<string, { zh: string; en: string }>, ip?: string) {
  const merged = { ...(await getLevelNames(ctx)), ...names };
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: 'region_level_names', value: JSON.stringify(merged) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(merged), updated_at: new Date() }))
      .execute();
    await writeAudit(trx, { action: 'settings_changed', actorId: actor.id, actorName: actor.username, entity: 'settings', entityId: 'region_level_names', ip, detail: names });
  });
  return merged;
}
