import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { REGION_LEVELS } from '../../domain/roles.js';
import { actorOf } from '../../http/auth.js';
import { page } from '../../http/schemas.js';
import { createRegion, getLevelNames, getRegion, listRegions, setLevelNames } from './service.js';
import { listStationStaff, setStationStaff } from './station-staff.js';

const levelEnum = z.enum(REGION_LEVELS);
const label = z.object({ zh: z.string().min(1).max(20), en: z.string().min(1).max(40) });

export function regionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/regions',
      {
        schema: {
          tags: ['regions'],
          summary: '区域列表 Regions (children of parentId, by code or level) in my jurisdiction',
          querystring: z.object({
            parentId: z.string().regex(/^\d+$/).optional(),
            code: z.string().max(20).optional(),
            level: levelEnum.optional(),
            q: z.string().max(50).optional(),
            ...page,
          }),
        },
      },
      async (req) => listRegions(ctx, actorOf(req), req.query),
    );
    app.get(
      '/api/v1/regions/:id',
      { schema: { tags: ['regions'], summary: '区域详情 A region with its ancestors', params: z.object({ id: z.string() }) } },
      async (req) => getRegion(ctx, actorOf(req), req.params.id),
    );
    app.post(
      '/api/v1/regions',
      {
        config: { permission: 'regions.write' },
        schema: {
          tags: ['regions'],
          summary: '新建区域 Create a region (admin)',
          body: z.object({
            parentId: z.string().regex(/^\d+$/).nullable().optional(),
            code: z.string().regex(/^[0-9A-Za-z-]{2,24}$/, 'digits/letters, 2–24 characters'),
            name: z.string().trim().min(1).max(100),
            level: levelEnum,
          }),
        },
      },
      async (req, reply) => reply.status(201).send(await createRegion(ctx, actorOf(req), req.body, req.ip)),
    );
    app.get('/api/v1/settings/region-levels', { schema: { tags: ['regions'], summary: '层级名称 Region level names' } }, async () => getLevelNames(ctx));
    app.put(
      '/api/v1/settings/region-levels',
      {
        config: { permission: 'settings.write' },
        schema: { tags: ['regions'], summary: '设置层级名称 Set region level names (admin)', body: z.partialRecord(levelEnum, label) },
      },
      async (req) => setLevelNames(ctx, actorOf(req), req.body as any, req.ip),
    );
    app.get(
      '/api/v1/regions/:id/station-staff',
      { schema: { tags: ['regions'], summary: '村居监管人员 Station staff assigned to a village (H4)', params: z.object({ id: z.string() }) } },
      async (req) => listStationStaff(ctx, actorOf(req), req.params.id),
    );
    app.put(
      '/api/v1/regions/:id/station-staff',
      {
        config: { permission: 'organizations.write' },
        schema: {
          tags: ['regions'],
          summary: '指定村居监管人员 Assign station staff to a village (admin)',
          params: z.object({ id: z.string() }),
          body: z.object({ userIds: z.array(z.string().uuid()).max(10) }),
        },
      },
      async (req) => setStationStaff(ctx, actorOf(req), req.params.id, req.body.userIds, req.ip),
    );
  };
}
