import type { Selectable } from 'kysely';
import type { Tx } from '../../context.js';
import type { CatalogueTables } from './tables.js';

export type ItemRow = Selectable<CatalogueTables['catalogue_items']>;
export type CategoryRow = Selectable<CatalogueTables['catalogue_categories']>;

export interface CatalogueItem {
  code: string;
  categoryCode: string;
  aspect: string;
  name: string;
  guidance: string;
  selfHandleTiers: string[];
  businessTypes: string[];
  active: boolean;
  sort: number;
}

export interface CatalogueCategory {
  code: string;
  name: string;
  nameEn: string | null;
  sort: number;
  items: CatalogueItem[];
}

export function toItem(r: ItemRow): CatalogueItem {
  return {
    code: r.code,
    categoryCode: r.category_code,
    aspect: r.aspect,
    name: r.name,
    guidance: r.guidance,
    selfHandleTiers: r.self_handle_tiers ?? [],
    businessTypes: r.business_types ?? [],
    active: r.active,
    sort: r.sort,
  };
}

export async function findItem(db: Tx, code: string): Promise<ItemRow | undefined> {
  return db.selectFrom('catalogue_items').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Items by code (for patrol checklists and event validation). */
export async function findItems(db: Tx, codes: string[]): Promise<Map<string, ItemRow>> {
  if (!codes.length) return new Map();
  const rows = await db.selectFrom('catalogue_items').selectAll().where('code', 'in', [...new Set(codes)]).execute();
  return new Map(rows.map((r) => [r.code, r]));
}

export async function findCategory(db: Tx, code: string): Promise<CategoryRow | undefined> {
  return db.selectFrom('catalogue_categories').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function loadCatalogue(db: Tx, opts: { includeInactive?: boolean; aspect?: string; businessType?: string } = {}): Promise<CatalogueCategory[]> {
  const cats = await db.selectFrom('catalogue_categories').selectAll().orderBy('sort').orderBy('code').execute();
  let q = db.selectFrom('catalogue_items').selectAll().orderBy('sort').orderBy('code');
  if (!opts.includeInactive) q = q.where('active', '=', true);
  if (opts.aspect) q = q.where('aspect', '=', opts.aspect);
  const items = (await q.execute())
    .filter((i) => !opts.businessType || !i.business_types?.length || i.business_types.includes(opts.businessType))
    .map(toItem);
  return cats
    .map((c) => ({ code: c.code, name: c.name, nameEn: c.name_en, sort: c.sort, items: items.filter((i) => i.categoryCode === c.code) }))
    .filter((c) => opts.includeInactive || c.items.length > 0 || !(opts.aspect || opts.businessType));
}
