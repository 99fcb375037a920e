import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ASPECT_LABELS, PATROL_TYPES, PATROL_TYPE_LABELS, type Aspect } from '../../domain/patrols.js';
import { sendXlsx, toXlsx } from '../../http/xlsx.js';
import { writeAudit } from '../audit/store.js';
import { actorOf } from '../../http/auth.js';
import { page, queryBool } from '../../http/schemas.js';
import { getPatrol, lastPatrols, listPatrols, patrolCoverage } from './queries.js';
import type { PatrolJson } from './store.js';
import { raiseEventCommand, recordPatrolCommand } from './record-patrol.js';

const numId = z.string().regex(/^\d+$/, 'must be a numeric id string');
const idemHeader = (h: Record<string, unknown>) => {
  const v = h['idempotency-key'];
  return typeof v === 'string' ? v.slice(0, 200) : null;
};
const listFilters = {
  businessId: z.string().max(40).optional(),
  regionId: numId.optional(),
  patrollerId: z.string().max(40).optional(),
  type: z.enum(PATROL_TYPES).optional(),
  passed: queryBool.optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
};
const coverageQuery = z.object({
  regionId: numId.optional(),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM').optional(),
  detail: z
    .enum(['auto', 'full', 'grids'])
    .optional()
    .describe('auto (default): per-worker rows only up to 500 grids; full: always; grids: never'),
});
const EXPORT_MAX_ROWS = 100_000;
const china = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

const raiseBody = z.object({
  seqs: z.array(z.number().int().min(1)).max(100).optional().describe('Checklist lines to report; default every failed line not yet reported'),
  title: z.string().trim().max(200).optional(),
  description: z.string().trim().max(4000).optional(),
  categoryCode: z.string().trim().max(16).optional(),
});

/** P1–P3 patrol records, last patrol per business, P2 coverage and shortfalls. */
export function patrolRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/patrols',
      {
        schema: {
          tags: ['patrols'],
          summary:
            '登记巡查 Record a patrol (P1 grid workers: routine; P3 station/bureau sink-down: 日常/双随机/飞行检查/四不两直) against 证/人/物/票/洁; raiseEvent reports the failed lines as one event. Idempotency-Key / clientId replay the first answer (E15)',
          headers: z.object({ 'idempotency-key': z.string().max(200).optional() }).passthrough(),
          body: z.object({
            businessId: z.string().max(40),
            type: z.enum(PATROL_TYPES).optional().describe('default routine'),
            items: z
              .array(
                z.object({
                  aspect: z.string().max(20).nullable().optional().describe('license | people | goods | invoices | hygiene'),
                  itemCode: z.string().max(16).nullable().optional().describe('a catalogue item code (E11)'),
                  passed: z.boolean(),
                  note: z.string().max(2000).nullable().optional(),
                }),
              )
              .min(1)
              .max(100),
            note: z.string().max(4000).nullable().optional(),
            patrolledAt: z.string().datetime({ offset: true }).nullable().optional().describe('when it was done in the field (offline records)'),
            location: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).nullable().optional(),
            clientId: z.string().trim().min(1).max(100).nullable().optional(),
            raiseEvent: z.boolean().optional(),
            event: raiseBody.optional(),
            attachmentIds: z.array(z.string()).max(20).optional().describe('accepted for compatibility; patrol photos are attached to the raised event by the field app'),
          }),
        },
      },
      async (req, reply) => {
        const { attachmentIds: _ignored, ...input } = req.body;
        const r = await recordPatrolCommand(ctx, actorOf(req), input, { ip: req.ip, idempotencyKey: idemHeader(req.headers) });
        return reply.status(r.status).send(r.body);
      },
    );
    app.get(
      '/api/v1/patrols',
      {
        schema: {
          tags: ['patrols'],
          summary: '巡查记录 Patrols in my jurisdiction, newest first',
          querystring: z.object({ ...listFilters, ...page }),
        },
      },
      async (req) => listPatrols(ctx, actorOf(req), req.query),
    );
    app.get(
      '/api/v1/patrols/last',
      {
        schema: {
          tags: ['patrols'],
          summary: '最近巡查 Last patrol of every business in a region (default: my region), never-patrolled ones with null',
          querystring: z.object({
            regionId: numId.optional(),
            limit: z.coerce.number().int().min(1).max(2000).default(500),
            cursor: z.string().max(200).optional(),
          }),
        },
      },
      async (req) => lastPatrols(ctx, actorOf(req), req.query),
    );
    app.get(
      '/api/v1/patrols/coverage',
      {
        schema: {
          tags: ['patrols'],
          summary:
            '巡查覆盖率 P2 coverage of a month per township, grid and worker: businesses, patrolled, coverage %, hazard reports; shortfalls (grids below 100 %, grids with fewer than 2 hazard reports) with the workers concerned',
          querystring: coverageQuery,
        },
      },
      async (req) => patrolCoverage(ctx, actorOf(req), req.query),
    );
    app.get(
      '/api/v1/patrols/export.xlsx',
      {
        schema: { tags: ['patrols'], summary: '导出巡查记录 Export the patrols I may see (.xlsx, X4), same filters as the list', querystring: z.object(listFilters) },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const items: PatrolJson[] = [];
        let cursor: string | undefined;
        do {
          const pageRows = await listPatrols(ctx, actor, { ...req.query, limit: 1000, cursor });
          items.push(...pageRows.items);
          cursor = pageRows.nextCursor ?? undefined;
        } while (cursor && items.length < EXPORT_MAX_ROWS);
        const failedText = (p: PatrolJson) =>
          p.items
            .filter((i) => !i.passed)
            .map((i) => `【${ASPECT_LABELS[i.aspect as Aspect]?.zh ?? i.aspect}】${i.itemName ?? ''}${i.note ? (i.itemName ? '：' : '') + i.note : ''}`)
            .join('；');
        const buf = await toXlsx('巡查记录', [
          { header: '巡查时间', width: 20, value: (p) => china(p.patrolledAt) },
          { header: '经营主体', width: 28, value: (p) => p.businessName },
          { header: '巡查类型', value: (p) => PATROL_TYPE_LABELS[p.type as keyof typeof PATROL_TYPE_LABELS]?.zh ?? p.type },
          { header: '巡查人员', value: (p) => p.patrollerName },
          { header: '结果', value: (p) => (p.passed ? '合格' : '不合格') },
          { header: '不合格项数', value: (p) => p.failedCount },
          { header: '不合格内容', width: 60, value: failedText },
          { header: '已上报事件', value: (p) => (p.eventIds.length ? p.eventIds.join(',') : '') },
          { header: '备注', width: 30, value: (p) => p.note },
          { header: '巡查记录ID', width: 38, value: (p) => p.id },
        ], items);
        await writeAudit(ctx.db, { action: 'patrols_exported', actorId: actor.id, actorName: actor.username, entity: 'patrol', ip: req.ip, detail: { filters: req.query, rows: items.length } });
        return sendXlsx(reply, '巡查记录.xlsx', buf);
      },
    );
    app.get(
      '/api/v1/patrols/coverage/export.xlsx',
      {
        schema: {
          tags: ['patrols'],
          summary: '导出巡查覆盖率 Export the month\'s coverage per grid with its shortfalls (.xlsx, X4)',
          querystring: coverageQuery.omit({ detail: true }),
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const c = await patrolCoverage(ctx, actor, { ...req.query, detail: 'grids' });
        const unpatrolled = new Map(c.shortfalls.coverage.map((s) => [s.gridId, s.unpatrolledBusinesses.map((b) => b.name).join('、')]));
        const buf = await toXlsx(`${c.month}巡查覆盖率`, [
          { header: '网格', width: 30, value: (g) => g.gridName },
          { header: '经营主体数', value: (g) => g.businesses },
          { header: '已巡查', value: (g) => g.patrolled },
          { header: '覆盖率(%)', value: (g) => g.coverage },
          { header: '隐患上报数', value: (g) => g.hazardReports },
          { header: '覆盖未达100%', value: (g) => (g.coverageShort ? '是' : '') },
          { header: '隐患上报不足2条', value: (g) => (g.hazardsShort ? '是' : '') },
          { header: '未巡查主体', width: 60, value: (g) => unpatrolled.get(g.gridId) ?? '' },
          { header: '网格ID', value: (g) => g.gridId },
        ], c.grids);
        await writeAudit(ctx.db, { action: 'patrol_coverage_exported', actorId: actor.id, actorName: actor.username, entity: 'region', entityId: c.regionId, ip: req.ip, detail: { month: c.month } });
        return sendXlsx(reply, `巡查覆盖率_${c.month}.xlsx`, buf);
      },
    );
    app.get(
      '/api/v1/patrols/:id',
      { schema: { tags: ['patrols'], summary: '巡查记录详情 A patrol with its checklist', params: z.object({ id: z.string().max(40) }) } },
      async (req) => getPatrol(ctx, actorOf(req), req.params.id),
    );
    app.post(
      '/api/v1/patrols/:id/raise-event',
      {
        schema: {
          tags: ['patrols'],
          summary: '从巡查上报事件 Raise one event prefilled from failed checklist lines (P1)',
          params: z.object({ id: z.string().max(40) }),
          body: raiseBody,
        },
      },
      async (req, reply) => reply.status(201).send(await raiseEventCommand(ctx, actorOf(req), req.params.id, req.body, { ip: req.ip })),
    );
  };
}
