import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { notFound } from '../../domain/errors.js';
import { toHttpError } from '../../http/errors.js';
import { createServiceRequest, listServiceRequests, services } from './georeport.js';

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const opt = <T extends z.ZodTypeAny>(t: T) => z.preprocess((v) => (v === '' ? undefined : v), t.optional());

const postBody = z
  .object({
    api_key: opt(z.string().max(200)),
    jurisdiction_id: opt(z.string().max(100)),
    service_code: z.string().trim().min(1).max(32),
    lat: opt(num(-90, 90)),
    long: opt(num(-180, 180)),
    address_string: opt(z.string().trim().max(300)),
    address_id: opt(z.string().trim().max(64)),
    email: opt(z.string().max(200)),
    device_id: opt(z.string().max(200)),
    account_id: opt(z.string().max(200)),
    first_name: opt(z.string().max(100)),
    last_name: opt(z.string().max(100)),
    phone: opt(z.string().trim().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number')),
    description: opt(z.string().trim().max(4000)),
    media_url: opt(z.string().url().max(500)),
    business_id: opt(z.string().max(64)),
  })
  .passthrough()
  .refine((b) => (b.lat != null && b.long != null) || !!b.address_string || !!b.address_id || !!b.business_id, {
    message: 'a location is required: lat & long, address_string or address_id',
    path: ['lat'],
  });

const listQuery = z.object({
  service_request_id: opt(z.string().max(2000)),
  service_code: opt(z.string().max(500)),
  start_date: opt(z.string().max(40)),
  end_date: opt(z.string().max(40)),
  status: opt(z.string().max(20)),
  jurisdiction_id: opt(z.string().max(100)),
  lat: opt(num(-90, 90)),
  long: opt(num(-180, 180)),
  radius: opt(num(1, 50_000)),
  bbox: opt(z.string().max(100)),
  limit: opt(z.coerce.number().int().min(1).max(1000)),
});

/**
 * X2: Open311 GeoReport v2 under /open311/v2 (JSON). Errors use Open311's own shape
 * `[{code, description}]`. POST accepts form-encoded (the standard) and JSON.
 */
export function open311Routes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    // Only inside this plugin: GeoReport clients post application/x-www-form-urlencoded.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      const out: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(body as string)) out[k] = v;
      done(null, out);
    });
    app.setErrorHandler((err, req, reply) => {
      const { status, body } = toHttpError(err, req);
      const description = body.error.field && !body.error.message.includes(body.error.field) ? `${body.error.field}: ${body.error.message}` : body.error.message;
      return reply.status(status).send([{ code: status, description }]);
    });
    const pub = (max?: number) => (max ? ({ public: true, rateLimit: { max, timeWindow: '1 minute' } } as any) : { public: true });
    const tags = ['open311'];

    app.get(
      '/open311/v2/discovery.json',
      { config: pub(), schema: { tags, summary: 'Open311 discovery' } },
      async (req) => ({
        changeset: '2026-01-01T00:00:00Z',
        contact: '当地市场监督管理局 / local market-supervision bureau',
        key_service: 'api_key is optional',
        endpoints: [
          { specification: 'http://wiki.open311.org/GeoReport_v2', url: `${req.protocol}://${req.host}/open311/v2`, changeset: '2026-01-01T00:00:00Z', type: 'production', formats: ['application/json'] },
        ],
      }),
    );

    app.get('/open311/v2/services.json', { config: pub(), schema: { tags, summary: 'GeoReport v2 services (the public report categories)' } }, async () =>
      services(ctx),
    );

    app.get(
      '/open311/v2/services/:code',
      { config: pub(), schema: { tags, summary: 'GeoReport v2 service definition', params: z.object({ code: z.string().max(40) }) } },
      async (req) => {
        const code = req.params.code.replace(/\.json$/, '');
        const s = (await services(ctx)).find((x) => x.service_code === code);
        if (!s) throw notFound('service', '服务');
        return { service_code: s.service_code, attributes: [] };
      },
    );

    app.get(
      '/open311/v2/requests.json',
      {
        config: pub(ctx.config.publicRateLimit * 10),
        schema: {
          tags,
          summary: 'GeoReport v2 service requests (public reports, no personal data)',
          description: 'Filters: service_request_id (comma list), service_code, start_date, end_date (default last 90 days), status open|closed; area: lat+long+radius (m) or bbox=minLong,minLat,maxLong,maxLat.',
          querystring: listQuery,
        },
      },
      async (req) => listServiceRequests(ctx, req.query),
    );

    app.post(
      '/open311/v2/requests.json',
      {
        config: pub(ctx.config.publicRateLimit),
        schema: { tags, summary: 'GeoReport v2 create a service request (= a public report) → [{service_request_id}]', body: postBody },
      },
      async (req, reply) => {
        const r = await createServiceRequest(ctx, req.body as any, req.ip);
        return reply.status(201).send(r);
      },
    );

    app.get(
      '/open311/v2/requests/:id',
      {
        config: pub(ctx.config.publicRateLimit * 10),
        schema: { tags, summary: 'GeoReport v2 one service request by id (tracking code)', params: z.object({ id: z.string().max(60) }) },
      },
      async (req) => {
        const id = req.params.id.replace(/\.json$/, '');
        const r = await listServiceRequests(ctx, { service_request_id: id }, { fullDescription: true });
        if (!r.length) throw notFound('service request', '服务请求', 'service_request_id');
        return r;
      },
    );
  };
}
