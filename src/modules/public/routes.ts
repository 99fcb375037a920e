import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { notFound } from '../../domain/errors.js';
import { BUSINESS_TYPE_LABELS, type BusinessType } from '../../domain/grading.js';
import { idString } from '../../http/schemas.js';
import { readMultipart, uploadFiles } from '../files/upload.js';
import { PUBLIC_UPLOAD } from '../files/routes.js';
import { publicCatalogue } from './catalogue.js';
import { ratePublicReport } from './rating.js';
import { MAX_PUBLIC_PHOTOS, submitPublicReport } from './report.js';
import { publicStatus } from './status.js';

const fileIds = z.array(z.string().uuid()).max(MAX_PUBLIC_PHOTOS);

export const publicReportBody = z.object({
  title: z.string().trim().min(1).max(100),
  description: z.string().trim().min(1).max(4000),
  businessId: z.string().uuid().optional(),
  regionId: idString.optional(),
  location: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).optional(),
  contactPhone: z
    .string()
    .trim()
    .regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number')
    .optional(),
  anonymous: z.boolean().optional(),
  categoryCode: z.string().trim().min(1).max(32).optional(),
  /** Ids from `POST /api/v1/public/files` (or `/api/v1/files` without signing in). */
  photos: fileIds.optional(),
  /** Same as `photos` (the name the staff apps use). */
  attachmentIds: fileIds.optional(),
});

/** Region levels a member of the public chooses from; grids and units are internal. */
const PUBLIC_LEVELS = ['city', 'county', 'township', 'village'];

/** S1: the public channel — no account, rate-limited per client (I5: no staff data leaves here). */
export function publicRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const perMinute = (max: number) => ({ public: true, rateLimit: { max, timeWindow: '1 minute' } }) as any;
  return async (app) => {
    app.post(
      '/api/v1/public/reports',
      {
        config: perMinute(ctx.config.publicRateLimit),
        schema: {
          tags: ['public'],
          summary: '群众举报 Submit a public report (no login) → 201 {trackingCode}',
          description:
            'Either businessId (QR code at the business) or regionId locates it. anonymous=true keeps no phone. ' +
            'Photos: upload each with POST /api/v1/public/files first, pass the ids. `Idempotency-Key` makes a retry return the first code.',
          body: publicReportBody,
        },
      },
      async (req, reply) => {
        const b = req.body;
        const key = req.headers['idempotency-key'];
        const r = await submitPublicReport(
          ctx,
          { ...b, photos: [...new Set([...(b.photos ?? []), ...(b.attachmentIds ?? [])])], attachmentIds: undefined, source: 'web' } as any,
          req.ip,
          typeof key === 'string' && key.trim() ? key.trim().slice(0, 200) : undefined,
        );
        return reply.status(201).send({ trackingCode: r.trackingCode });
      },
    );

    app.get(
      '/api/v1/public/reports/:trackingCode',
      {
        config: perMinute(ctx.config.publicRateLimit * 10),
        schema: {
          tags: ['public'],
          summary: '举报办理进度 Status of a public report by tracking code (no staff names)',
          params: z.object({ trackingCode: z.string().min(1).max(40) }),
        },
      },
      async (req) => publicStatus(ctx, req.params.trackingCode),
    );

    app.post(
      '/api/v1/public/reports/:trackingCode/rating',
      {
        config: perMinute(ctx.config.publicRateLimit),
        schema: {
          tags: ['public'],
          summary: '评价/申请重新办理 Rate the handling (1–5), optionally ask to reopen within the window',
          params: z.object({ trackingCode: z.string().min(1).max(40) }),
          body: z.object({
            score: z.number().int().min(1).max(5),
            comment: z.string().trim().max(500).optional(),
            reopen: z.boolean().optional(),
          }),
        },
      },
      async (req) => ratePublicReport(ctx, req.params.trackingCode, req.body, req.ip),
    );

    app.post(
      '/api/v1/public/files',
      {
        config: perMinute(ctx.config.publicRateLimit * 3),
        schema: {
          tags: ['public'],
          summary: '举报照片上传 Upload one photo for a public report (multipart `file`, ≤10 MB, images only) → 201 {id}',
        },
      },
      async (req, reply) => {
        const { files } = await readMultipart(req, 1);
        const [info] = await uploadFiles(ctx, null, files, req.ip, PUBLIC_UPLOAD);
        return reply.status(201).send({ id: info.id, kind: info.kind, size: info.size, width: info.width, height: info.height });
      },
    );

    app.get(
      '/api/v1/public/businesses/:id',
      {
        config: perMinute(ctx.config.publicRateLimit * 10),
        schema: { tags: ['public'], summary: '经营者公开信息 Public info of a business (QR-code report form)', params: z.object({ id: z.string().max(64) }) },
      },
      async (req) => {
        const b = /^[0-9a-f-]{36}$/i.test(req.params.id)
          ? await ctx.db
              .selectFrom('businesses as b')
              .leftJoin('regions as r', 'r.id', 'b.region_id')
              .select(['b.id', 'b.name', 'b.address', 'b.type', 'b.status', 'r.name as region_name'])
              .where('b.id', '=', req.params.id)
              .executeTakeFirst()
          : undefined;
        if (!b) throw notFound('business', '经营者');
        return {
          id: b.id,
          name: b.name,
          address: b.address,
          type: b.type,
          typeLabel: BUSINESS_TYPE_LABELS[b.type as BusinessType] ?? b.type,
          status: b.status,
          regionName: b.region_name,
        };
      },
    );

    app.get(
      '/api/v1/public/businesses/:id/qrcode.svg',
      {
        config: perMinute(ctx.config.publicRateLimit * 10),
        schema: { tags: ['public'], summary: '举报二维码 QR code (SVG) opening the report form prefilled with the business', params: z.object({ id: z.string().uuid() }) },
      },
      async (req, reply) => {
        const b = await ctx.db.selectFrom('businesses').select('id').where('id', '=', req.params.id).executeTakeFirst();
        if (!b) throw notFound('business', '经营者');
        const url = `${req.protocol}://${req.host}/p/?business=${b.id}`;
        const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
        return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg);
      },
    );

    app.get(
      '/api/v1/public/catalogue',
      { config: { public: true }, schema: { tags: ['public'], summary: '举报类别 Categories for the report form' } },
      async () => ({ items: await publicCatalogue(ctx.db) }),
    );

    app.get(
      '/api/v1/public/regions',
      {
        config: perMinute(ctx.config.publicRateLimit * 30),
        schema: {
          tags: ['public'],
          summary: '地区选择 Regions for the report form (city → county → township → village)',
          querystring: z.object({ parentId: idString.optional() }),
        },
      },
      async (req) => {
        let q = ctx.db.selectFrom('regions').select(['id', 'name', 'level', 'code']).where('level', 'in', PUBLIC_LEVELS);
        q = req.query.parentId ? q.where('parent_id', '=', Number(req.query.parentId)) : q.where('parent_id', 'is', null);
        const rows = await q.orderBy('code').limit(2000).execute();
        return { items: rows.map((r) => ({ id: String(r.id), name: r.name, level: r.level })) };
      },
    );
  };
}
