import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ASPECTS, ASPECT_LABELS, HANDLING_TIERS } from '../../domain/patrols.js';
import { actorOf } from '../../http/auth.js';
import { queryBool } from '../../http/schemas.js';
import { createCategory, createItem, getCatalogue, getItem, updateCategory, updateItem } from './service.js';

const code = z.string().trim().regex(/^[A-Z][A-Z0-9_]{1,15}$/, 'upper-case letters/digits, 2–16 characters, e.g. HYG08');
const BUSINESS_TYPES = ['production', 'sales', 'catering', 'school_canteen', 'kindergarten_canteen', 'workshop', 'stall', 'farm', 'other'] as const;
const itemFields = {
  categoryCode: code,
  aspect: z.enum(ASPECTS),
  name: z.string().trim().min(2).max(100),
  guidance: z.string().trim().max(4000),
  selfHandleTiers: z.array(z.enum(HANDLING_TIERS)).max(HANDLING_TIERS.length),
  businessTypes: z.array(z.enum(BUSINESS_TYPES)).max(BUSINESS_TYPES.length),
  sort: z.number().int().min(0).max(100000),
};
const item = z.object({
  code: z.string(),
  categoryCode: z.string(),
  aspect: z.string(),
  name: z.string(),
  guidance: z.string(),
  selfHandleTiers: z.array(z.string()),
  businessTypes: z.array(z.string()),
  active: z.boolean(),
  sort: z.number(),
});
const category = z.object({ code: z.string(), name: z.string(), nameEn: z.string().nullable(), sort: z.number() });

/** E11 食品安全社会治理事项清单: read by every signed-in user, edited by admins. */
export function catalogueRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/catalogue',
      {
        schema: {
          tags: ['catalogue'],
          summary: '事项清单 Item catalogue: categories with their items, and the five patrol aspects 证/人/物/票/洁',
          querystring: z.object({
            aspect: z.enum(ASPECTS).optional(),
            businessType: z.enum(BUSINESS_TYPES).optional(),
            includeInactive: queryBool.optional(),
          }),
          response: {
            200: z.object({
              aspects: z.array(z.object({ key: z.string(), zh: z.string(), full: z.string(), en: z.string() })),
              categories: z.array(category.extend({ items: z.array(item) })),
            }),
          },
        },
      },
      async (req) => {
        const { categories } = await getCatalogue(ctx, req.query);
        // Aspects carry `key`, not `code`/`name`, so clients walking the tree for items skip them.
        return { aspects: ASPECTS.map((a) => ({ key: a, ...ASPECT_LABELS[a] })), categories };
      },
    );
    app.get(
      '/api/v1/catalogue/items/:code',
      { schema: { tags: ['catalogue'], summary: '事项详情 A catalogue item with its guidance', params: z.object({ code: z.string().max(16) }), response: { 200: item } } },
      async (req) => getItem(ctx, req.params.code),
    );
    app.post(
      '/api/v1/catalogue/items',
      {
        config: { permission: 'catalogue.write' },
        schema: {
          tags: ['catalogue'],
          summary: '新增事项 Add a catalogue item (admin)',
          body: z.object({ code, ...itemFields, guidance: itemFields.guidance.optional(), selfHandleTiers: itemFields.selfHandleTiers.optional(), businessTypes: itemFields.businessTypes.optional(), sort: itemFields.sort.optional() }).strict(),
          response: { 201: item },
        },
      },
      async (req, reply) => reply.status(201).send(await createItem(ctx, actorOf(req), req.body, req.ip)),
    );
    app.patch(
      '/api/v1/catalogue/items/:code',
      {
        config: { permission: 'catalogue.write' },
        schema: {
          tags: ['catalogue'],
          summary: '修改或停用事项 Edit or retire (active: false) a catalogue item (admin)',
          params: z.object({ code: z.string().max(16) }),
          body: z
            .object({
              categoryCode: itemFields.categoryCode.optional(),
              aspect: itemFields.aspect.optional(),
              name: itemFields.name.optional(),
              guidance: itemFields.guidance.optional(),
              selfHandleTiers: itemFields.selfHandleTiers.optional(),
              businessTypes: itemFields.businessTypes.optional(),
              sort: itemFields.sort.optional(),
              active: z.boolean().optional(),
            })
            .strict(),
          response: { 200: item },
        },
      },
      async (req) => updateItem(ctx, actorOf(req), req.params.code, req.body, req.ip),
    );
    app.post(
      '/api/v1/catalogue/categories',
      {
        config: { permission: 'catalogue.write' },
        schema: {
          tags: ['catalogue'],
          summary: '新增事项分类 Add a catalogue category (admin)',
          body: z.object({ code, name: z.string().trim().min(2).max(50), nameEn: z.string().trim().max(80).nullable().optional(), sort: z.number().int().min(0).max(100000).optional() }).strict(),
          response: { 201: category },
        },
      },
      async (req, reply) => reply.status(201).send(await createCategory(ctx, actorOf(req), req.body, req.ip)),
    );
    app.patch(
      '/api/v1/catalogue/categories/:code',
      {
        config: { permission: 'catalogue.write' },
        schema: {
          tags: ['catalogue'],
          summary: '修改事项分类 Edit a catalogue category (admin)',
          params: z.object({ code: z.string().max(16) }),
          body: z.object({ name: z.string().trim().min(2).max(50).optional(), nameEn: z.string().trim().max(80).nullable().optional(), sort: z.number().int().min(0).max(100000).optional() }).strict(),
          response: { 200: category },
        },
      },
      async (req) => updateCategory(ctx, actorOf(req), req.params.code, req.body, req.ip),
    );
  };
}
