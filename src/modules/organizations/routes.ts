import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ORG_TYPES } from '../../domain/roles.js';
import { actorOf } from '../../http/auth.js';
import { page } from '../../http/schemas.js';
import { createOrganization, getOrganization, listOrganizations, setJurisdiction } from './service.js';
import { createWorkingGroup, listWorkingGroups } from './working-groups.js';
import { WORKING_GROUP_POSITIONS } from '../../domain/working-groups.js';

const numId = z.string().regex(/^\d+$/, 'must be a numeric id string');

export function organizationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/organizations',
      {
        schema: {
          tags: ['organizations'],
          summary: '机构列表 Organisations seated in or covering my jurisdiction',
          querystring: z.object({ type: z.enum(ORG_TYPES).optional(), regionId: numId.optional(), ...page }),
        },
      },
      async (req) => listOrganizations(ctx, actorOf(req), req.query),
    );
    app.get(
      '/api/v1/organizations/:id',
      { schema: { tags: ['organizations'], summary: '机构详情 An organisation', params: z.object({ id: z.string() }) } },
      async (req) => getOrganization(ctx, actorOf(req), req.params.id),
    );
    app.post(
      '/api/v1/organizations',
      {
        config: { permission: 'organizations.write' },
        schema: {
          tags: ['organizations'],
          summary: '新建机构 Create an organisation (admin)',
          body: z.object({
            type: z.enum(ORG_TYPES),
            name: z.string().trim().min(1).max(100),
            code: z.string().max(40).nullable().optional(),
            regionId: numId,
            parentId: numId.nullable().optional(),
            departmentKind: z.string().max(40).nullable().optional(),
            isBranch: z.boolean().optional(),
            jurisdictionRegionIds: z.array(numId).max(500).optional(),
          }),
        },
      },
      async (req, reply) => reply.status(201).send(await createOrganization(ctx, actorOf(req), req.body, req.ip)),
    );
    app.put(
      '/api/v1/organizations/:id/jurisdiction',
      {
        config: { permission: 'organizations.write' },
        schema: {
          tags: ['organizations'],
          summary: '设置管辖范围 Set an organisation\'s jurisdiction (admin)',
          params: z.object({ id: numId }),
          body: z.object({ regionIds: z.array(numId).min(1).max(500) }),
        },
      },
      async (req) => setJurisdiction(ctx, actorOf(req), req.params.id, req.body.regionIds, req.ip),
    );
    app.get(
      '/api/v1/organizations/:id/working-groups',
      { schema: { tags: ['organizations'], summary: '工作专班 Working groups of an organisation (H3)', params: z.object({ id: numId }) } },
      async (req) => listWorkingGroups(ctx, actorOf(req), req.params.id),
    );
    app.post(
      '/api/v1/organizations/:id/working-groups',
      {
        config: { permission: 'organizations.write' },
        schema: {
          tags: ['organizations'],
          summary: '新建工作专班 Create a working group (admin)',
          params: z.object({ id: numId }),
          body: z.object({
            name: z.string().trim().min(1).max(100),
            members: z
              .array(z.object({ userId: z.string().uuid(), position: z.enum(WORKING_GROUP_POSITIONS), duty: z.string().max(500).optional() }))
              .min(1)
              .max(100),
          }),
        },
      },
      async (req, reply) => reply.status(201).send(await createWorkingGroup(ctx, actorOf(req), req.params.id, req.body, req.ip)),
    );
  };
}
