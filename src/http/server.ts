import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from 'helmet';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { registerAuth } from './auth.js';
import { errorHandler } from './errors.js';
import { modules } from './modules.js';

export interface BuildOptions {
  logger?: boolean;
  /** Extra plugins (web app serving) registered after the API. */
  extra?: Array<(app: FastifyInstance) => Promise<void>>;
}

export async function buildServer(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: ctx.config.logLevel } : false,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'route_not_found', message: `${req.method} ${req.url.split('?')[0]} — 接口不存在` } });
  });

  await app.register(cookie);
  // Security headers (helmet), worked out once: they do not depend on the request. A route may
  // still set its own (downloads narrow the CSP). The fastify plugin rebuilt the middleware on
  // every request (N3: 4 % of intake's server time), and running the built middleware per request
  // still cost 3 % (a chain of ten functions, each through res.setHeader's checks).
  const securityHeaders = headersOf(helmet({
    // The web apps load their own bundles, ECharts canvas and blob: photo previews.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  }));
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: ctx.config.uploadMaxBytes, files: 10 } });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'FoodGrid 食安网格 API',
        version: '1.0.0',
        description: 'Food-safety social co-governance platform. Errors: {"error": {"code", "message", "field"}}.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'fg_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/docs/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, ctx);

  app.get(
    '/api/health',
    { config: { public: true }, schema: { tags: ['system'], summary: '健康检查 Health (503 when the database is down)' } },
    async (_req, reply) => {
      const ok = await ctx.database.ping();
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', db: ok ? 'ok' : 'down' });
    },
  );

  for (const m of modules) await app.register(m(ctx));
  for (const extra of opts.extra ?? []) await extra(app);
  return app;
}

/** The headers a middleware that only sets headers (helmet) sets on every response. */
function headersOf(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let finished = false;
  middleware({} as IncomingMessage, res as unknown as ServerResponse, (err) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished || Object.keys(headers).length === 0) throw new Error('security headers: the middleware did not set its headers at once');
  return Object.freeze(headers);
}
