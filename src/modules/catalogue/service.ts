import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { writeAudit } from '../audit/store.js';
import { findCategory, findItem, loadCatalogue, toItem, type CatalogueItem } from './store.js';

export interface ItemInput {
  code: string;
  categoryCode: string;
  aspect: string;
  name: string;
  guidance?: string;
  selfHandleTiers?: string[];
  businessTypes?: string[];
  sort?: number;
}

export type ItemPatch = Partial<Omit<ItemInput, 'code'>> & { active?: boolean };

export async function getCatalogue(ctx: AppContext, q: { includeInactive?: boolean; aspect?: string; businessType?: string }) {
  return { categories: await loadCatalogue(ctx.db, q) };
}

export async function getItem(ctx: AppContext, code: string): Promise<CatalogueItem> {
  const r = await findItem(ctx.db, code);
  if (!r) throw notFound('catalogue item', '事项', 'code');
  return toItem(r);
}

export async function createItem(ctx: AppContext, actor: Actor, input: ItemInput, ip?: string): Promise<CatalogueItem> {
  return ctx.db.transaction().execute(async (trx) => {
    if (await findItem(trx, input.code)) throw conflict('duplicate_code', '事项编码已存在', `item ${input.code} exists`, 'code');
    if (!(await findCategory(trx, input.categoryCode))) {
      throw invalid('unknown_category', 'categoryCode', '事项分类不存在', 'categoryCode is not a catalogue category');
    }
    const row = await trx
      .insertInto('catalogue_items')
      .values({
        code: input.code,
        category_code: input.categoryCode,
        aspect: input.aspect,
        name: input.name,
        guidance: input.guidance ?? '',
        self_handle_tiers: input.selfHandleTiers ?? [],
        business_types: input.businessTypes ?? [],
        active: true,
        sort: input.sort ?? 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { action: 'catalogue_item_created', actorId: actor.id, actorName: actor.username, entity: 'catalogue_item', entityId: input.code, ip, detail: input });
    return toItem(row);
  });
}

export async function updateItem(ctx: AppContext, actor: Actor, code: string, patch: ItemPatch, ip?: string): Promise<CatalogueItem> {
  return ctx.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('catalogue_items').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
    if (!before) throw notFound('catalogue item', '事项', 'code');
    if (patch.categoryCode && !(await findCategory(trx, patch.categoryCode))) {
      throw invalid('unknown_category', 'categoryCode', '事项分类不存在', 'categoryCode is not a catalogue category');
    }
    const set: Record<string, unknown> = { updated_at: ctx.now() };
    if (patch.categoryCode !== undefined) set.category_code = patch.categoryCode;
    if (patch.aspect !== undefined) set.aspect = patch.aspect;
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.guidance !== undefined) set.guidance = patch.guidance;
    if (patch.selfHandleTiers !== undefined) set.self_handle_tiers = patch.selfHandleTiers;
    if (patch.businessTypes !== undefined) set.business_types = patch.businessTypes;
    if (patch.active !== undefined) set.active = patch.active;
    if (patch.sort !== undefined) set.sort = patch.sort;
    const row = await trx.updateTable('catalogue_items').set(set).where('code', '=', code).returningAll().executeTakeFirstOrThrow();
    await writeAudit(trx, {
      action: 'catalogue_item_updated',
      actorId: actor.id,
      actorName: actor.username,
      entity: 'catalogue_item',
      entityId: code,
      ip,
      detail: { before: toItem(before), patch },
    });
    return toItem(row);
  });
}

export interface CategoryInput {
  code: string;
  name: string;
  nameEn?: string | null;
  sort?: number;
}

export async function createCategory(ctx: AppContext, actor: Actor, input: CategoryInput, ip?: string) {
  return ctx.db.transaction().execute(async (trx) => {
    if (await findCategory(trx, input.code)) throw conflict('duplicate_code', '分类编码已存在', `category ${input.code} exists`, 'code');
    const row = await trx
      .insertInto('catalogue_categories')
      .values({ code: input.code, name: input.name, name_en: input.nameEn ?? null, sort: input.sort ?? 0 })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { action: 'catalogue_category_created', actorId: actor.id, actorName: actor.username, entity: 'catalogue_category', entityId: input.code, ip, detail: input });
    return { code: row.code, name: row.name, nameEn: row.name_en, sort: row.sort };
  });
}

export async function updateCategory(ctx: AppContext, actor: Actor, code: string, patch: Partial<Omit<CategoryInput, 'code'>>, ip?: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findCategory(trx, code);
    if (!before) throw notFound('catalogue category', '事项分类', 'code');
    const set: Record<string, unknown> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.nameEn !== undefined) set.name_en = patch.nameEn;
    if (patch.sort !== undefined) set.sort = patch.sort;
    const row = Object.keys(set).length
      ? await trx.updateTable('catalogue_categories').set(set).where('code', '=', code).returningAll().executeTakeFirstOrThrow()
      : before;
    await writeAudit(trx, { action: 'catalogue_category_updated', actorId: actor.id, actorName: actor.username, entity: 'catalogue_category', entityId: code, ip, detail: patch });
    return { code: row.code, name: row.name, nameEn: row.name_en, sort: row.sort };
  });
}
