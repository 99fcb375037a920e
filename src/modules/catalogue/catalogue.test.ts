import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { smallWorld } from '../../../test/helpers/world.js';

let t: TestApp;
let admin: string;
let grid: string;

beforeAll(async () => {
  t = await createTestApp();
  await smallWorld(t.ctx.db);
  admin = await t.login('w_admin');
  grid = await t.login('w_grid_a1');
});
afterAll(async () => t?.close());

describe('item catalogue (E11)', () => {
  it('When a grid worker opens the catalogue, then the seeded Chinese items come grouped by category with all five aspects', async () => {
    const r = await t.api(grid).get('/api/v1/catalogue');
    expect(r.status).toBe(200);
    expect(r.body.aspects.map((a: any) => a.zh)).toEqual(['证', '人', '物', '票', '洁']);
    const items = r.body.categories.flatMap((c: any) => c.items);
    expect(items.length).toBeGreaterThanOrEqual(30);
    expect(new Set(items.map((i: any) => i.aspect))).toEqual(new Set(['license', 'people', 'goods', 'invoices', 'hygiene']));
    const names = items.map((i: any) => i.name).join('|');
    for (const n of ['未取得食品经营（生产）许可证从事经营', '从业人员未取得有效健康证明', '销售或使用超过保质期的食品', '未建立进货查验记录制度', '防蝇、防鼠、防虫设施缺失或损坏']) {
      expect(names).toContain(n);
    }
    const lic01 = items.find((i: any) => i.code === 'LIC01');
    expect(lic01.selfHandleTiers).not.toContain('grid');
    expect(lic01.guidance.length).toBeGreaterThan(10);
  });

  it('When filtered by aspect or business type, then only matching items are listed', async () => {
    const r = await t.api(grid).get('/api/v1/catalogue?aspect=hygiene&businessType=sales');
    const items = r.body.categories.flatMap((c: any) => c.items);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i: any) => i.aspect === 'hygiene' && (!i.businessTypes.length || i.businessTypes.includes('sales')))).toBe(true);
    expect(items.map((i: any) => i.code)).not.toContain('HYG03'); // tableware disinfection: catering only
  });

  it('When the OpenAPI document is generated, then the catalogue, patrol, deadline and job endpoints are described (X1)', async () => {
    const r = await t.api().get('/api/docs/openapi.json');
    expect(r.status).toBe(200);
    for (const p of ['/api/v1/catalogue', '/api/v1/catalogue/items/{code}', '/api/v1/patrols', '/api/v1/patrols/coverage', '/api/v1/patrols/last', '/api/v1/patrols/{id}/raise-event', '/api/v1/settings/deadlines', '/api/v1/jobs']) {
      expect(Object.keys(r.body.paths)).toContain(p);
    }
  });

  it('When not signed in, then the catalogue answers 401', async () => {
    expect((await t.api().get('/api/v1/catalogue')).status).toBe(401);
  });

  it('When an admin adds, edits and retires an item, then everyone sees the change, the retired item only on request, and each write is audited', async () => {
    const created = await t.api(admin).post('/api/v1/catalogue/items', {
      code: 'HYG90',
      categoryCode: 'HYG',
      aspect: 'hygiene',
      name: '餐厨垃圾未交有资质单位处置',
      guidance: '查看餐厨垃圾收运合同和台账。',
      selfHandleTiers: ['grid', 'station'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'HYG90', active: true, selfHandleTiers: ['grid', 'station'] });
    const patched = await t.api(admin).patch('/api/v1/catalogue/items/HYG90', { name: '餐厨垃圾处置不规范', active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: '餐厨垃圾处置不规范', active: false });
    const visible = (await t.api(grid).get('/api/v1/catalogue')).body.categories.flatMap((c: any) => c.items.map((i: any) => i.code));
    expect(visible).not.toContain('HYG90');
    const all = (await t.api(admin).get('/api/v1/catalogue?includeInactive=true')).body.categories.flatMap((c: any) => c.items.map((i: any) => i.code));
    expect(all).toContain('HYG90');
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', 'HYG90').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['catalogue_item_created', 'catalogue_item_updated']);
  });

  it('When the code exists, the category is unknown, the aspect is wrong, or the caller is not an admin, then the write is refused naming the field', async () => {
    const base = { code: 'PPL90', categoryCode: 'PPL', aspect: 'people', name: '从业人员未经培训上岗' };
    expect((await t.api(grid).post('/api/v1/catalogue/items', base)).status).toBe(403);
    const dup = await t.api(admin).post('/api/v1/catalogue/items', { ...base, code: 'LIC01' });
    expect([dup.status, dup.body.error.field]).toEqual([409, 'code']);
    const cat = await t.api(admin).post('/api/v1/catalogue/items', { ...base, categoryCode: 'NOPE' });
    expect(cat.status).toBe(422);
    expect(cat.body.error.field).toBe('categoryCode');
    const aspect = await t.api(admin).post('/api/v1/catalogue/items', { ...base, aspect: 'smell' });
    expect(aspect.status).toBe(400);
    expect(aspect.body.error.field).toBe('aspect');
    expect((await t.api(admin).patch('/api/v1/catalogue/items/NOPE1', { name: '不存在的事项' })).status).toBe(404);
    const none = await t.ctx.db.selectFrom('catalogue_items').select('code').where('code', '=', 'PPL90').execute();
    expect(none).toEqual([]);
  });

  it('When an admin adds a category, then items can be filed under it', async () => {
    const c = await t.api(admin).post('/api/v1/catalogue/categories', { code: 'NET', name: '网络餐饮', nameEn: 'Online food delivery', sort: 100 });
    expect(c.status).toBe(201);
    const i = await t.api(admin).post('/api/v1/catalogue/items', { code: 'NET01', categoryCode: 'NET', aspect: 'license', name: '入网餐饮单位未公示许可证' });
    expect(i.status).toBe(201);
    const cats = (await t.api(grid).get('/api/v1/catalogue')).body.categories;
    expect(cats.find((x: any) => x.code === 'NET').items.map((x: any) => x.code)).toEqual(['NET01']);
  });
});
