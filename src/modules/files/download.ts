import fs from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { absolutePath } from './ingest.js';

/**
 * Sends a stored file with one byte range when asked (video players seek with Range). Private
 * cache only: every download passed the jurisdiction guard.
 */
export async function sendStored(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  key: string,
  mime: string,
  downloadName?: string | null,
) {
  const full = absolutePath(ctx, key);
  let size: number;
  try {
    size = (await fs.promises.stat(full)).size;
  } catch {
    throw notFound('file', '文件');
  }
  reply.header('content-type', mime);
  reply.header('cache-control', 'private, max-age=86400');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('accept-ranges', 'bytes');
  reply.header('content-security-policy', "default-src 'none'; img-src 'self'; media-src 'self'");
  if (downloadName) reply.header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(downloadName)}`);
  const range = req.headers.range;
  const m = typeof range === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] || m[2])) {
    let start: number;
    let end: number;
    if (m[1]) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    } else {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    }
    if (start > end || start >= size) {
      reply.header('content-range', `bytes */${size}`);
      throw new DomainError('invalid', 'range_not_satisfiable', '请求的范围无效', 'range not satisfiable', 'range');
    }
    reply.status(206);
    reply.header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', end - start + 1);
    return reply.send(fs.createReadStream(full, { start, end }));
  }
  reply.header('content-length', size);
  return reply.send(fs.createReadStream(full));
}
