import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { invalid } from '../../domain/errors.js';
import { writeAudit } from '../audit/store.js';
import { discard, ingest, type IngestedFile, type IngestOptions } from './ingest.js';
import { attachFiles, getEventForFiles, insertFiles, toFileInfo, type FileInfo } from './store.js';
import { appendEventHistory } from './event-history.js';

export interface RawUpload {
  data: Buffer;
  filename?: string;
}

/**
 * Reads a multipart request: its files (the bytes, bounded by the multipart limits — too large
 * ends as 413 naming `file`) and its text fields. A request that is not multipart is a 422
 * naming `file`.
 */
export async function readMultipart(req: FastifyRequest, maxFiles: number): Promise<{ files: RawUpload[]; fields: Record<string, string> }> {
  if (!req.isMultipart()) throw invalid('multipart_required', 'file', '请以 multipart/form-data 上传文件', 'send the file as multipart/form-data');
  const files: RawUpload[] = [];
  const fields: Record<string, string> = {};
  for await (const part of req.parts({ limits: { files: maxFiles } })) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      files.push({ data, filename: part.filename });
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  if (!files.length) throw invalid('file_required', 'file', '请选择要上传的文件', 'a file is required');
  return { files, fields };
}

/** Ingests every upload; if one fails, the ones already written are removed. */
export async function ingestAll(ctx: AppContext, uploads: RawUpload[], opts: IngestOptions = {}): Promise<IngestedFile[]> {
  const done: IngestedFile[] = [];
  try {
    for (const u of uploads) done.push(await ingest(ctx, u.data, u.filename, opts));
  } catch (e) {
    await discard(ctx, done);
    throw e;
  }
  return done;
}

/**
 * Upload ahead of the record (the field app takes photos, then creates the event or patrol with
 * `attachmentIds`). The file belongs to its uploader until attached.
 */
export async function uploadFiles(ctx: AppContext, actor: Actor | null, uploads: RawUpload[], ip: string, opts: IngestOptions = {}): Promise<FileInfo[]> {
  const files = await ingestAll(ctx, uploads, opts);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await insertFiles(trx, files, { userId: actor?.id ?? null });
      await writeAudit(trx, {
        actorId: actor?.id ?? null,
        actorName: actor?.displayName ?? (actor ? null : '群众'),
        action: 'file.upload',
        entity: 'file',
        entityId: files[0].id,
        ip,
        detail: { files: files.map((f) => ({ id: f.id, mime: f.mime, size: f.sizeBytes, sha256: f.sha256 })) },
      });
    });
  } catch (e) {
    await discard(ctx, files);
    throw e;
  }
  const now = ctx.now();
  return files.map((f) =>
    toFileInfo({
      id: f.id,
      kind: f.kind,
      mime: f.mime,
      original_name: f.originalName,
      size_bytes: f.sizeBytes,
      sha256: f.sha256,
      width: f.width,
      height: f.height,
      storage_key: f.storageKey,
      thumb_key: f.thumbKey,
      uploaded_by: actor?.id ?? null,
      public_upload: !actor,
      event_id: null,
      history_seq: null,
      entity: null,
      entity_id: null,
      region_path: null,
      created_at: now,
      attached_at: null,
    }),
  );
}

/**
 * E13: photos/videos added to an existing event become one `comment` step of its history
 * (with the optional note), visible to everyone who sees the event.
 */
export async function addEventAttachments(
  ctx: AppContext,
  actor: Actor,
  eventId: string,
  uploads: RawUpload[],
  note: string | undefined,
  ip: string,
): Promise<{ historySeq: number; items: FileInfo[] }> {
  await getEventForFiles(ctx.db, actor, eventId);
  const files = await ingestAll(ctx, uploads);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const ev = await getEventForFiles(trx, actor, eventId);
      await insertFiles(trx, files, { userId: actor.id });
      const seq = await appendEventHistory(trx, ev.id, {
        type: 'comment',
        actorId: actor.id,
        actorRole: actor.role,
        note: note?.trim() || null,
        detail: { attachments: files.map((f) => f.id) },
      });
      const rows = await attachFiles(trx, actor, files.map((f) => f.id), { eventId: ev.id, historySeq: seq, regionPath: ev.region_path });
      await writeAudit(trx, {
        actorId: actor.id,
        actorName: actor.displayName,
        action: 'event.attach',
        entity: 'event',
        entityId: ev.id,
        ip,
        detail: { seq, files: files.map((f) => ({ id: f.id, mime: f.mime, size: f.sizeBytes, sha256: f.sha256 })) },
      });
      return { historySeq: seq, items: rows.map(toFileInfo) };
    });
  } catch (e) {
    await discard(ctx, files);
    throw e;
  }
}
