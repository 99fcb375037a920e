import { sql } from 'kysely';
import type { Tx } from '../../context.js';

/**
 * The categories the public chooses from (report form, Open311 services). Read from the E11
 * item catalogue when it is installed; before that, a small built-in list keeps the form usable.
 */
export interface PublicCategory {
  code: string;
  name: string;
  nameEn: string | null;
  items: Array<{ code: string; name: string }>;
}

const BUILT_IN: PublicCategory[] = [
  { code: 'LIC', name: '无证无照经营', nameEn: 'Unlicensed business', items: [] },
  { code: 'GDS', name: '过期变质、来源不明食品', nameEn: 'Expired, spoiled or untraceable food', items: [] },
  { code: 'ADD', name: '违规使用添加剂、非食用物质', nameEn: 'Illegal additives', items: [] },
  { code: 'HYG', name: '环境卫生脏乱', nameEn: 'Poor hygiene', items: [] },
  { code: 'PPL', name: '从业人员不规范', nameEn: 'Staff hygiene and health', items: [] },
  { code: 'OTHER', name: '其他食品安全问题', nameEn: 'Other food-safety problem', items: [] },
];

async function hasCatalogue(db: Tx): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`SELECT to_regclass('catalogue_items') IS NOT NULL AND to_regclass('catalogue_categories') IS NOT NULL AS ok`.execute(db);
  return !!r.rows[0]?.ok;
}

export async function publicCatalogue(db: Tx): Promise<PublicCategory[]> {
  if (!(await hasCatalogue(db))) return BUILT_IN;
  const cats = await sql<{ code: string; name: string; name_en: string | null }>`
    SELECT code, name, name_en FROM catalogue_categories ORDER BY sort, code`.execute(db);
  const items = await sql<{ code: string; name: string; category_code: string }>`
    SELECT code, name, category_code FROM catalogue_items WHERE active ORDER BY sort, code`.execute(db);
  const out = cats.rows.map((c) => ({
    code: c.code,
    name: c.name,
    nameEn: c.name_en,
    items: items.rows.filter((i) => i.category_code === c.code).map((i) => ({ code: i.code, name: i.name })),
  }));
  return out.length ? out : BUILT_IN;
}

/** The name of a category or item code, or null when the code is unknown. */
export async function categoryName(db: Tx, code: string): Promise<string | null> {
  const all = await publicCatalogue(db);
  for (const c of all) {
    if (c.code === code) return c.name;
    const i = c.items.find((x) => x.code === code);
    if (i) return i.name;
  }
  return null;
}
