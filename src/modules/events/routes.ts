import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorOf } from '../../http/auth.js';
import { page, queryBool } from '../../http/schemas.js';
import { ACTION_TYPES, CHANNELS, EVENT_STATES, TIERS, PENALTIES, SKIP_REASONS, SKIP_REASON_LABELS, TIER_LABELS } from '../../domain/events/index.js';
import { createEventCommand } from './create-event.js';
import { actOnEvent } from './act.js';
import { eventMetrics, getEvent, listEvents, workQueue } from './queries.js';

const numId = z.string().regex(/^\d+$/, 'must be a numeric id string');
const idemHeader = (h: Record<string, unknown>) => {
  const v = h['idempotency-key'];
  return typeof v === 'string' ? v.slice(0, 200) : null;
};

export function eventRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: '上报事件 Report an event (E1); routed to its first holder (E2). clientId / Idempotency-Key replay the first answer (E15)',
          body: z.object({
            channel: z.enum(CHANNELS),
            title: z.string().trim().min(1).max(200),
            description: z.string().trim().min(1).max(4000),
            categoryCode: z.string().trim().max(32).nullable().optional(),
            businessId: z.string().max(64).nullable().optional(),
            regionId: numId.nullable().optional(),
            location: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).nullable().optional(),
            clientId: z.string().trim().min(1).max(100).nullable().optional(),
          }),
        },
      },
      async (req, reply) => {
        const r = await createEventCommand(ctx, actorOf(req), req.body, { ip: req.ip, idempotencyKey: idemHeader(req.headers) });
        return reply.status(r.status).send(r.body);
      },
    );

    app.get(
      '/api/v1/events/queue',
      {
        schema: {
          tags: ['events'],
          summary: '我的待办 Work queue: events I hold (as myself, my organisation or my role at my region), overdue first, then by deadline',
          querystring: z.object(page),
        },
      },
      async (req) => workQueue(ctx, actorOf(req), req.query),
    );

    app.get(
      '/api/v1/events/vocabulary',
      { schema: { tags: ['events'], summary: '事件词表 States, tiers, channels, actions, penalties and skip-level reasons with labels' } },
      async () => ({
        states: EVENT_STATES,
        tiers: TIERS.map((t) => ({ code: t, ...TIER_LABELS[t] })),
        channels: CHANNELS,
        actions: ACTION_TYPES,
        penalties: PENALTIES,
        skipReasons: SKIP_REASONS.map((r) => ({ code: r, zh: SKIP_REASON_LABELS[r] })),
      }),
    );

    app.get(
      '/api/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: '事件列表 Events in my jurisdiction, newest first',
          querystring: z.object({
            state: z.enum(EVENT_STATES).optional(),
            tier: z.enum(TIERS).optional(),
            regionId: numId.optional(),
            channel: z.enum(CHANNELS).optional(),
            overdue: queryBool.optional(),
            mine: queryBool.optional(),
            hotspot: queryBool.optional(),
            q: z.string().max(100).optional(),
            categoryCode: z.string().max(32).optional(),
            businessId: z.string().uuid().optional(),
            from: z.string().max(40).optional(),
            to: z.string().max(40).optional(),
            ...page,
          }),
        },
      },
      async (req) => listEvents(ctx, actorOf(req), req.query),
    );

    app.get(
      '/api/v1/events/:id',
      { schema: { tags: ['events'], summary: '事件详情 An event with its full history (E13)', params: z.object({ id: z.string().max(64) }) } },
      async (req) => getEvent(ctx, actorOf(req), req.params.id),
    );

    app.post(
      '/api/v1/events/:id/actions',
      {
        schema: {
          tags: ['events'],
          summary:
            '办理事件 Take an action (accept, escalate, skip_escalate, transfer, return, refer_enforcement, record_case, order_rectification, submit_rectification, verify_rectification, request_assist, resolve, feedback, close, reject, merge, reopen, comment). 409 stale expectedVersion or forbidden transition; 403 not the holder; 422 missing parameter',
          params: z.object({ id: z.string().max(64) }),
          body: z.looseObject({
            type: z.enum(ACTION_TYPES),
            expectedVersion: z.number().int().min(1).optional(),
            note: z.string().max(4000).nullable().optional(),
          }),
        },
      },
      async (req) => actOnEvent(ctx, actorOf(req), req.params.id, req.body as any, { ip: req.ip, idempotencyKey: idemHeader(req.headers) }),
    );

    app.get(
      '/api/v1/metrics/events',
      {
        schema: {
          tags: ['events'],
          summary: '事件统计 Counts by state/tier/channel, self-closure rate (E14), time to close, dwell per tier, overdue, on-time rate',
          querystring: z.object({ regionId: numId.optional(), from: z.string().max(40).optional(), to: z.string().max(40).optional(), categoryCode: z.string().max(32).optional() }),
        },
      },
      async (req) => eventMetrics(ctx, actorOf(req), req.query),
    );
  };
}
