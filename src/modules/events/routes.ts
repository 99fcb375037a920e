import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorOf } from '../../http/auth.js';
import { page, queryBool } from '../../http/schemas.js';
import { ACTION_TYPES, CHANNELS, EVENT_STATES, TIERS, PENALTIES, SKIP_REASONS, SKIP_REASON_LABELS, TIER_LABELS } from '../../domain/events/index.js';
import { createEventCommand } from './create-event.js';
import { actOnEvent } from './act.js';
import { getEvent, listEvents, workQueue, type ListQuery } from './queries.js';
import { dashboardExtras, eventMetrics, eventMetricsByRegion } from './metrics.js';
import { completeAssist, listAssists } from './assists.js';
import { sendXlsx, toXlsx } from '../../http/xlsx.js';
import { writeAudit } from '../audit/store.js';
import type { EventJson } from './store.js';
import { loadEventRules, saveEventRules } from './settings.js';
import { MAX_ATTACH } from '../files/store.js';

const numId = z.string().regex(/^\d+$/, 'must be a numeric id string');
const CHANNEL_ZH: Record<string, string> = {
  grid_patrol: '网格单元巡查',
  department_patrol: '部门巡查',
  public_report: '群众举报',
  self_inspection: '主体自查',
  supervision: '包保督导',
  external: '外部平台',
};
const STATE_ZH: Record<string, string> = {
  open: '待受理',
  in_progress: '办理中',
  rectifying: '整改中',
  resolved: '已办理待反馈',
  closed: '已办结',
  rejected: '不予受理',
  merged: '已合并',
};
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
            attachmentIds: z
              .array(z.string().max(64))
              .max(MAX_ATTACH)
              .nullable()
              .optional()
              .describe('photos/videos uploaded ahead with POST /api/v1/files (the caller’s own, not yet attached); they join the first history step'),
            closedElsewhere: z
              .object({
                result: z.string().max(4000),
                feedback: z.string().max(4000),
                reference: z.string().max(200).nullable().optional(),
                closedAt: z.string().max(40).nullable().optional(),
              })
              .nullable()
              .optional()
              .describe('external only: an event closed on another platform (S0 §三(二)), stored closed'),
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

    const listFilters = {
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
    };

    app.get(
      '/api/v1/events/export.xlsx',
      { schema: { tags: ['events'], summary: '导出事件 Export the events I may see with the list filters (.xlsx, X4)', querystring: z.object(listFilters) } },
      async (req, reply) => {
        const actor = actorOf(req);
        const items: EventJson[] = [];
        let cursor: string | undefined;
        do {
          const p = await listEvents(ctx, actor, { ...(req.query as Omit<ListQuery, 'limit'>), limit: 1000, cursor });
          items.push(...p.items);
          cursor = p.nextCursor ?? undefined;
        } while (cursor && items.length < 100_000);
        await writeAudit(ctx.db, { actorId: actor.id, actorName: actor.username, action: 'event.export', entity: 'event', ip: req.ip, detail: { filters: req.query, rows: items.length } });
        const tier = (t: string) => TIER_LABELS[t as keyof typeof TIER_LABELS]?.zh ?? t;
        const when = (s: string | null) => (s ? new Date(s) : null);
        const buf = await toXlsx('事件', [
          { header: '标题', width: 30, value: (e) => e.title },
          { header: '渠道', value: (e) => CHANNEL_ZH[e.channel] ?? e.channel },
          { header: '状态', value: (e) => STATE_ZH[e.state] ?? e.state },
          { header: '当前层级', value: (e) => tier(e.tier) },
          { header: '承办单位', width: 24, value: (e) => e.holder.organizationName ?? e.holder.userName ?? e.holder.regionName ?? null },
          { header: '区域', value: (e) => e.regionName ?? e.regionId },
          { header: '经营主体', width: 24, value: (e) => e.businessName ?? null },
          { header: '事项', value: (e) => e.categoryName ?? e.categoryCode },
          { header: '热点', value: (e) => (e.hotspot ? '是' : '') },
          { header: '超期', value: (e) => (e.overdue ? '是' : '') },
          { header: '办理时限', width: 20, value: (e) => when(e.deadline) },
          { header: '上报时间', width: 20, value: (e) => when(e.createdAt) },
          { header: '办结时间', width: 20, value: (e) => when(e.closedAt) },
          { header: '处理结果', width: 30, value: (e) => e.result },
          { header: '反馈', width: 30, value: (e) => e.feedback },
          { header: '事件编号', width: 38, value: (e) => e.id },
        ], items);
        return sendXlsx(reply, `事件-${new Date().toISOString().slice(0, 10)}.xlsx`, buf);
      },
    );

    app.get(
      '/api/v1/events/:id/assists',
      { schema: { tags: ['events'], summary: '协助任务 Assist tasks on an event (E5)', params: z.object({ id: z.string().max(64) }) } },
      async (req) => listAssists(ctx, actorOf(req), req.params.id),
    );

    app.post(
      '/api/v1/events/:id/assists/:assistId/done',
      {
        schema: {
          tags: ['events'],
          summary: '反馈协助情况 The assisting level reports its part done (E5); the holder is told',
          params: z.object({ id: z.string().max(64), assistId: z.string().max(64) }),
          body: z.object({ note: z.string().max(4000) }),
        },
      },
      async (req) => completeAssist(ctx, actorOf(req), req.params.id, req.params.assistId, req.body.note),
    );

    app.get(
      '/api/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: '事件列表 Events in my jurisdiction, newest first',
          querystring: z.object({ ...listFilters, ...page }),
        },
      },
      async (req) => listEvents(ctx, actorOf(req), req.query),
    );

    app.get(
      '/api/v1/events/:id',
      { schema: { tags: ['events'], summary: '事件详情 An event with its full history (E13)', params: z.object({ id: z.string().max(64) }) } },
      async (req) => getEvent(ctx, actorOf(req), req.params.id, { ip: req.ip }),
    );

    app.post(
      '/api/v1/events/:id/actions',
      {
        schema: {
          tags: ['events'],
          summary:
            '办理事件 Take an action (accept, escalate, skip_escalate, transfer, return, refer_enforcement, record_case, order_rectification, submit_rectification, verify_rectification, request_assist, resolve, feedback, close, reject, merge, reopen, comment). 409 stale expectedVersion or forbidden transition; 403 not the holder; 422 missing parameter',
          params: z.object({ id: z.string().max(64) }),
          // Per-type parameters are checked by the state machine (422 naming the missing one);
          // they are listed here for the OpenAPI document.
          body: z.looseObject({
            type: z.enum(ACTION_TYPES),
            expectedVersion: z.number().int().min(1).optional(),
            note: z.string().max(4000).nullable().optional(),
            reason: z.unknown().optional().describe('escalate, skip_escalate, transfer, return, refer_enforcement, reject, reopen'),
            targetTier: z.unknown().optional().describe('skip_escalate: county | city'),
            reasonCode: z.unknown().optional().describe('skip_escalate: hotspot | major | difficult | other'),
            organizationId: z.unknown().optional().describe('transfer: a department covering the place'),
            caseNo: z.unknown().optional().describe('record_case'),
            decision: z.unknown().optional().describe('record_case'),
            penalty: z.unknown().optional().describe('record_case: none | warning | fine | suspension | revocation'),
            deadline: z.unknown().optional().describe('order_rectification; verify_rectification when failed (ISO date-time)'),
            requirement: z.unknown().optional().describe('order_rectification'),
            passed: z.unknown().optional().describe('verify_rectification: boolean'),
            regionId: z.unknown().optional().describe('request_assist: a region containing the place, below the holder'),
            result: z.unknown().optional().describe('resolve'),
            feedback: z.unknown().optional().describe('feedback'),
            intoEventId: z.unknown().optional().describe('merge'),
            attachments: z.unknown().optional().describe('comment: file ids'),
          }),
        },
      },
      async (req) => actOnEvent(ctx, actorOf(req), req.params.id, req.body as any, { ip: req.ip, idempotencyKey: idemHeader(req.headers) }),
    );

    const rules = z.object({
      duplicateWindowHours: z.number().int().min(1).max(24 * 90),
      hotspotThreshold: z.number().int().min(2).max(1000),
      hotspotDays: z.number().int().min(1).max(365),
    });
    app.get(
      '/api/v1/settings/event-rules',
      { schema: { tags: ['settings'], summary: '重复与热点规则 Duplicate window and hotspot rule (E12)', response: { 200: rules } } },
      async () => loadEventRules(ctx.db),
    );
    app.put(
      '/api/v1/settings/event-rules',
      {
        config: { permission: 'settings.write' },
        schema: { tags: ['settings'], summary: '修改重复与热点规则 Edit the E12 rules (admin); omitted keys keep their value', body: rules.partial().strict(), response: { 200: rules } },
      },
      async (req) => {
        const actor = actorOf(req);
        return ctx.db.transaction().execute((trx) => saveEventRules(trx, actor, req.body, req.ip));
      },
    );

    app.get(
      '/api/v1/metrics/events/by-region',
      {
        schema: {
          tags: ['events'],
          summary: '分区域事件统计 E14 figures for each child region (league tables); regionId defaults to my own region',
          querystring: z.object({ regionId: numId.optional(), from: z.string().max(40).optional(), to: z.string().max(40).optional(), categoryCode: z.string().max(32).optional() }),
        },
      },
      async (req) => eventMetricsByRegion(ctx, actorOf(req), req.query),
    );

    app.get(
      '/api/v1/metrics/events',
      {
        schema: {
          tags: ['events'],
          summary:
            '事件统计 Counts by state/tier/channel, self-closure rate (E14), time to close, dwell per tier, overdue, on-time rate; include=dashboard adds byRegion, weekly (12 weeks) and hotspots',
          querystring: z.object({
            regionId: numId.optional(),
            from: z.string().max(40).optional(),
            to: z.string().max(40).optional(),
            categoryCode: z.string().max(32).optional(),
            include: z.enum(['dashboard']).optional(),
          }),
        },
      },
      async (req) => {
        const actor = actorOf(req);
        if (req.query.include !== 'dashboard') return eventMetrics(ctx, actor, req.query);
        // the dashboard's parts and the figures are independent: read at once
        const [base, extras] = await Promise.all([eventMetrics(ctx, actor, req.query), dashboardExtras(ctx, actor, req.query)]);
        return { ...base, ...extras };
      },
    );
  };
}
