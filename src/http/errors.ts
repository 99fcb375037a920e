import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { DomainError, type ErrorKind } from '../domain/errors.js';

/** The one place where errors become HTTP answers, in the shape of API.md. */
const STATUS: Record<ErrorKind, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

export function wantsEnglish(req: FastifyRequest): boolean {
  const h = req.headers['accept-language'];
  return typeof h === 'string' && /^en\b/i.test(h.trim());
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string; [k: string]: unknown };
}

function body(code: string, message: string, field?: string, extra?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}), ...(extra ?? {}) } };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

function zodField(path: PropertyKey[]): string | undefined {
  return path.length ? path.map(String).join('.') : undefined;
}

const FIELD_MSG_ZH = (field: string | undefined, msg: string) => (field ? `字段 ${field} 无效：${msg}` : `请求无效：${msg}`);

export function toHttpError(err: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
  const en = wantsEnglish(req);
  if (err instanceof DomainError) {
    return { status: STATUS[err.kind], body: body(err.code, en ? err.en : err.zh, err.field, err.extra) };
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const field = zodField(issue.path);
    return { status: 400, body: body('validation_failed', en ? `${field ?? 'request'}: ${issue.message}` : FIELD_MSG_ZH(field, issue.message), field) };
  }
  const e = err as FastifyError & { validationContext?: string; code?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const v = e.validation![0];
    const path = v.instancePath.replace(/^\//, '').split('/').filter(Boolean);
    const field = path.length ? path.join('.') : e.validationContext;
    return {
      status: 400,
      body: body('validation_failed', en ? `${field}: ${v.message}` : FIELD_MSG_ZH(field, v.message ?? ''), field, {
        location: e.validationContext,
      }),
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (e as any).type === 'entity.parse.failed') {
    return { status: 400, body: body('invalid_json', en ? 'request body is not valid JSON' : '请求体不是有效的 JSON', 'body') };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, body: body('unsupported_media_type', en ? 'unsupported content type' : '不支持的内容类型') };
  }
  if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return { status: 413, body: body('too_large', en ? 'request too large' : '上传内容过大', 'file') };
  }
  if (e.statusCode === 429) {
    return { status: 429, body: body('rate_limited', en ? 'too many requests, try again later' : '请求过于频繁，请稍后再试') };
  }
  if ((e.code && CONNECTION_CODES.has(e.code)) || /embedded database busy|Connection terminated|PGlite is closed/i.test(e.message ?? '')) {
    return { status: 503, body: body('db_unavailable', en ? 'database unavailable' : '数据库暂不可用') };
  }
  if (e.code === '40001' || e.code === '40P01') {
    return { status: 409, body: body('concurrent_update', en ? 'concurrent update, retry' : '并发冲突，请重试') };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: body(String(e.code ?? 'bad_request').toLowerCase(), e.message) };
  }
  req.log.error({ err }, 'unhandled error');
  return { status: 500, body: body('internal_error', en ? 'internal error' : '服务器内部错误') };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toHttpError(err, req);
  return reply.status(status).send(body);
}
