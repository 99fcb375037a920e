import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { FastifyRequest } from 'fastify';
import { actorOf, SESSION_COOKIE } from '../../http/auth.js';
import { notFound, unauthenticated } from '../../domain/errors.js';
import { sendStored } from './download.js';
import { getEventForFiles, getFileForActor, listEventFiles, toFileInfo } from './store.js';
import { addEventAttachments, readMultipart, uploadFiles } from './upload.js';

const idParam = z.object({ id: z.string().min(1).max(64) });

/** What the public may upload: photos only, at most 10 MB each (or the configured limit if lower). */
export const PUBLIC_UPLOAD = { kinds: ['image' as const], maxBytes: 10 * 1024 * 1024 };

/** Uploads (E1, E13) and jurisdiction-guarded downloads (I4). */
export function fileRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/files',
      {
        // Signed-in staff upload photos and videos; the public (no account) photos only, rate-limited.
        config: {
          public: true,
          rateLimit: {
            max: ctx.config.publicRateLimit * 3,
            timeWindow: '1 minute',
            allowList: (req: FastifyRequest) => !!(req.headers.authorization || req.cookies?.[SESSION_COOKIE]),
          },
        } as any,
        schema: {
          tags: ['files'],
          summary: '预上传照片/视频 Upload a photo or video ahead of the record (multipart field `file`) → 201 {id, …}',
          description:
            'Type is decided by content (JPEG, PNG, WebP, AVIF, MP4, MOV); images are re-encoded without EXIF/GPS and get a 320 px thumbnail. ' +
            'Pass the returned id in `attachmentIds` when creating the event (POST /api/v1/events). 413 when larger than the configured limit. ' +
            'An `Idempotency-Key` header makes a retried upload return the first answer.',
        },
      },
      async (req, reply) => {
        const actor = req.actor;
        // A presented but expired/invalid session must not silently become a public upload.
        if (!actor && (req.headers.authorization || req.cookies?.[SESSION_COOKIE])) throw unauthenticated('session_expired', '会话已超时，请重新登录', 'Session expired, sign in again');
        if (!actor) {
          const { files } = await readMultipart(req, 1);
          const [info] = await uploadFiles(ctx, null, files, req.ip, PUBLIC_UPLOAD);
          return reply.status(201).send(info);
        }
        const key = req.headers['idempotency-key'];
        const idempotencyKey = typeof key === 'string' && key.trim() ? key.trim().slice(0, 200) : undefined;
        const { files } = await readMultipart(req, 1);
        const [info] = await uploadFiles(ctx, actor, files, req.ip, {}, idempotencyKey);
        return reply.status(201).send(info);
      },
    );

    app.post(
      '/api/v1/events/:id/attachments',
      {
        schema: {
          tags: ['files'],
          summary: '为事件添加照片/视频 Attach photos/videos to an event (multipart `file` ×≤10, optional `note`) → 201',
          params: idParam,
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        // Jurisdiction first: outside → 404 before reading any bytes.
        await getEventForFiles(ctx.db, actor, req.params.id);
        const { files, fields } = await readMultipart(req, 10);
        const key = req.headers['idempotency-key'];
        const idempotencyKey = typeof key === 'string' && key.trim() ? key.trim().slice(0, 200) : undefined;
        const r = await addEventAttachments(ctx, actor, req.params.id, files, fields.note?.slice(0, 2000), req.ip, idempotencyKey);
        return reply.status(201).send(r);
      },
    );

    app.get(
      '/api/v1/events/:id/attachments',
      { schema: { tags: ['files'], summary: '事件的附件 Files of an event', params: idParam } },
      async (req) => {
        const ev = await getEventForFiles(ctx.db, actorOf(req), req.params.id);
        return { items: (await listEventFiles(ctx.db, ev.id)).map(toFileInfo) };
      },
    );

    app.get('/api/v1/files/:id/info', { schema: { tags: ['files'], summary: '文件信息 File metadata', params: idParam } }, async (req) => {
      return toFileInfo(await getFileForActor(ctx.db, actorOf(req), req.params.id));
    });

    app.get('/api/v1/files/:id', { schema: { tags: ['files'], summary: '下载文件 Download (Range supported; outside jurisdiction → 404)', params: idParam } }, async (req, reply) => {
      const f = await getFileForActor(ctx.db, actorOf(req), req.params.id);
      return sendStored(ctx, req, reply, f.storage_key, f.mime, f.original_name);
    });

    app.get('/api/v1/files/:id/thumb', { schema: { tags: ['files'], summary: '缩略图 320 px WebP thumbnail of a photo', params: idParam } }, async (req, reply) => {
      const f = await getFileForActor(ctx.db, actorOf(req), req.params.id);
      if (!f.thumb_key) throw notFound('thumbnail', '缩略图');
      return sendStored(ctx, req, reply, f.thumb_key, 'image/webp');
    });
  };
}
