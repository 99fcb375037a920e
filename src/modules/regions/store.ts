import { sql } from 'kysely';
import type { Tx } from '../../context.js';
import { inScope } from '../../domain/access.js';
import { notFound } from '../../domain/errors.js';
import type { RegionsTable } from '../../db/schema.js';
import type { Selectable } from 'kysely';

export type RegionRow = Selectable<RegionsTable>;

export interface Region {
  id: string;
  code: string;
  name: string;
  level: string;
  parentId: string | null;
  path: string[];
}

export function toRegion(r: RegionRow): Region {
  return {
    id: String(r.id),
    code: r.code,
    name: r.name,
    level: r.level,
    parentId: r.parent_id == null ? null : String(r.parent_id),
    path: r.path.split('/').filter(Boolean),
  };
}

export async function findRegion(db: Tx, id: number | string): Promise<RegionRow | undefined> {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) return undefined;
  return db.selectFrom('regions').selectAll().where('id', '=', n).executeTakeFirst();
}

/** A region the caller may see, or 404 (I4: outside jurisdiction looks like missing). */
export async function getRegionInScope(db: Tx, id: number | string, scope: readonly string[], field?: string): Promise<RegionRow> {
  const r = await findRegion(db, id);
  if (!r || !inScope(scope, r.path)) throw notFound('region', '区域', field);
  return r;
}

/** Restrict a query on a path column to the caller's scope: one prefix range per scope entry. */
export function scopeCondition(column: string, scope: readonly string[]) {
  if (scope.includes('/')) return sql<boolean>`true`;
  if (!scope.length) return sql<boolean>`false`;
  const parts = scope.map((p) => sql`${sql.ref(column)} LIKE ${likePrefix(p)}`);
  return sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

export function likePrefix(path: string): string {
  return path.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/** Names of the ancestors (root first), for breadcrumbs and exports. */
export async function ancestorNames(db: Tx, path: string): Promise<{ id: string; name: string; level: string }[]> {
  const ids = path.split('/').filter(Boolean).map(Number);
  if (!ids.length) return [];
  const rows = await db.selectFrom('regions').select(['id', 'name', 'level', 'depth']).where('id', 'in', ids).orderBy('depth').execute();
  return rows.map((r) => ({ id: String(r.id), name: r.name, level: r.level }));
}
