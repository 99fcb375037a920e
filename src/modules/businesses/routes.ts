import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { BUSINESS_TYPES, GRADES } from '../../domain/grading.js';
import { CREDIT_RISK_CLASSES, RISK_LEVELS } from '../../domain/risk.js';
import { invalid } from '../../domain/errors.js';
import { actorOf } from '../../http/auth.js';
import { wantsEnglish } from '../../http/errors.js';
import { page } from '../../http/schemas.js';
import { exportBusinesses } from './export.js';
import { importTemplate } from './template.js';
import { getImportJob, startImport } from './import.js';
import { BUSINESS_STATUSES, businessHistory, createBusiness, getBusiness, listBusinesses, updateBusiness } from './registry.js';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().startsWith(s), 'not a calendar date');
const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(10_000_000);

const fields = {
  name: z.string().trim().min(1).max(200),
  creditCode: text(30).nullable().optional(),
  licenseNo: text(50).nullable().optional(),
  licenseExpiry: isoDate.nullable().optional(),
  type: z.enum(BUSINESS_TYPES),
  address: text(300).nullable().optional(),
  location: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).nullable().optional(),
  dinersCount: count.nullable().optional(),
  employees: count.nullable().optional(),
  revenueWan: z.number().min(0).max(1e9).nullable().optional(),
  riskLevel: z.enum(RISK_LEVELS).nullable().optional(),
  creditRiskClass: z.enum(CREDIT_RISK_CLASSES).nullable().optional(),
  status: z.enum(BUSINESS_STATUSES).optional(),
  foodSafetyDirector: text(50).nullable().optional(),
  foodSafetyOfficer: text(50).nullable().optional(),
  contactName: text(50).nullable().optional(),
  contactPhone: text(30).nullable().optional(),
  insured: z.boolean().optional(),
  insuranceExpiry: isoDate.nullable().optional(),
  productTags: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case tag')).max(30).optional(),
};

const filterQuery = {
  regionId: z.string().regex(/^\d+$/).optional(),
  grade: z.enum(GRADES).optional(),
  type: z.enum(BUSINESS_TYPES).optional(),
  riskLevel: z.enum(RISK_LEVELS).optional(),
  status: z.enum(BUSINESS_STATUSES).optional(),
  creditRiskClass: z.enum(CREDIT_RISK_CLASSES).optional(),
  licenseExpiringBy: isoDate.optional(),
  q: z.string().trim().min(1).max(100).optional(),
};

const idParams = z.object({ id: z.string().max(64) });

export function businessRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/businesses',
      {
        config: { permission: 'businesses.write' },
        schema: {
          tags: ['businesses'],
          summary: '登记主体 Register a food business (regionId: a unit in my jurisdiction) → 201 with computed grade and 1+2+3+N team',
          body: z.object({ ...fields, regionId: z.string().regex(/^\d+$/, 'a region id') }),
        },
      },
      async (req, reply) => reply.status(201).send(await createBusiness(ctx, actorOf(req), req.body, req.ip)),
    );

    app.get(
      '/api/v1/businesses',
      {
        schema: {
          tags: ['businesses'],
          summary: '主体台账 Businesses in my jurisdiction (subtree of regionId; q searches name, code, licence, address); phones masked',
          querystring: z.object({ ...filterQuery, ...page }),
        },
      },
      async (req) => listBusinesses(ctx, actorOf(req), req.query),
    );

    app.get(
      '/api/v1/businesses/export.xlsx',
      {
        schema: {
          tags: ['businesses'],
          summary: '导出台账 Excel export of exactly what the list shows me (same filters; phones masked)',
          querystring: z.object(filterQuery),
        },
      },
      async (req, reply) => {
        const { buffer, fileName } = await exportBusinesses(ctx, actorOf(req), req.query, req.ip);
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="businesses.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
          .send(buffer);
      },
    );

    app.get(
      '/api/v1/businesses/import-template.xlsx',
      { schema: { tags: ['businesses'], summary: '导入模板 The import template (Chinese headers, an example row, the code lists)' } },
      async (_req, reply) => {
        const buffer = await importTemplate();
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="business-import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('食品生产经营主体导入模板.xlsx')}`)
          .send(buffer);
      },
    );

    app.post(
      '/api/v1/businesses/import',
      {
        config: { permission: 'businesses.import' },
        schema: {
          tags: ['businesses'],
          summary:
            '批量导入 Import an .xlsx or .csv (multipart field `file`, Chinese headers). All rows or nothing: 422 with errors [{row, field, message}]; small files answer 201 at once, large ones 202 {jobId} to poll',
          consumes: ['multipart/form-data'],
        },
      },
      async (req, reply) => {
        if (!req.isMultipart()) throw invalid('multipart_required', 'file', '请以 multipart/form-data 上传文件', 'send the file as multipart/form-data');
        const file = await req.file();
        if (!file) throw invalid('file_required', 'file', '请选择要导入的文件', 'a file is required');
        const buffer = await file.toBuffer();
        const file_ = { fileName: file.filename, mimeType: file.mimetype, buffer };
        const { status, body } = await startImport(ctx, actorOf(req), file_, req.ip, wantsEnglish(req));
        return reply.status(status).send(body);
      },
    );

    app.get(
      '/api/v1/businesses/import/:jobId',
      {
        schema: { tags: ['businesses'], summary: '导入进度 Import job progress {status, processed, total, imported, errors}', params: z.object({ jobId: z.string().max(64) }) },
      },
      async (req) => getImportJob(ctx, actorOf(req), req.params.jobId, wantsEnglish(req)),
    );

    app.get(
      '/api/v1/businesses/:id',
      { schema: { tags: ['businesses'], summary: '主体详情 A business with its 1+2+3+N team (H4)', params: idParams } },
      async (req) => getBusiness(ctx, actorOf(req), req.params.id, req.ip),
    );

    app.patch(
      '/api/v1/businesses/:id',
      {
        schema: {
          tags: ['businesses'],
          summary: '修改主体 Edit a business; {gradeOverride, gradeOverrideReason} overrides the grade (null clears it)',
          params: idParams,
          body: z
            .object({
              ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, (v as z.ZodTypeAny).optional()])),
              regionId: z.string().regex(/^\d+$/).optional(),
              gradeOverride: z.enum(GRADES).nullable().optional(),
              gradeOverrideReason: z.string().trim().max(500).nullable().optional(),
            })
            .strict(),
        },
      },
      async (req) => updateBusiness(ctx, actorOf(req), req.params.id, req.body as any, req.ip),
    );

    app.get(
      '/api/v1/businesses/:id/history',
      {
        schema: {
          tags: ['businesses'],
          summary: '主体档案 Business history (B5): events and registry changes, newest first',
          params: idParams,
          querystring: z.object(page),
        },
      },
      async (req) => businessHistory(ctx, actorOf(req), req.params.id, req.query),
    );
  };
}
