import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { createHash } from 'node:crypto';
import { conflict, invalid } from '../../domain/errors.js';
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
 * Upload ahead of the record (a client takes photos, then creates the event with
 * `attachmentIds`). The file belongs to its uploader until attached.
 */
export async function uploadFiles(
  ctx: AppContext,
  actor: Actor | null,
  uploads: RawUpload[],
  ip: string,
  opts: IngestOptions = {},
  idempotencyKey?: string,
): Promise<FileInfo[]> {
  // N3/E15: a phone retrying an upload with the same key gets the first answer, nothing new.
  const scope = actor && idempotencyKey ? `files:${actor.id}` : null;
  const requestHash = createHash('sha256');
  for (const u of uploads) requestHash.update(u.data);
  const hash = requestHash.digest('hex');
  if (scope) {
    const prior = await ctx.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', idempotencyKey!).executeTakeFirst();
    if (prior) {
      if (prior.request_hash !== hash)
        throw conflict('idempotency_key_reused', '该幂等键已用于另一个文件', 'this Idempotency-Key was used for a different file', 'Idempotency-Key');
      return ((typeof prior.body === 'string' ? JSON.parse(prior.body) : prior.body) as { items: FileInfo[] }).items;
    }
  }
  const files = await ingestAll(ctx, uploads, opts);
  let result: FileInfo[] = [];
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
      result = infos(files, actor, ctx.now());
      if (scope) {
        const saved = await trx
          .insertInto('idempotency_keys')
          .values({ scope, key: idempotencyKey!, request_hash: hash, status: 201, body: JSON.stringify({ items: result }) })
          .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
          .executeTakeFirst();
        // A concurrent retry won the race: roll back this copy and answer with the first.
        if (Number(saved.numInsertedOrUpdatedRows ?? 0) === 0) throw new RetryRace();
      }
    });
  } catch (e) {
    await discard(ctx, files);
    if (e instanceof RetryRace) return uploadFiles(ctx, actor, uploads, ip, opts, idempotencyKey);
    throw e;
  }
  return result;
}

class RetryRace extends Error {}

function infos(files: IngestedFile[], actor: Actor | null, now: Date): FileInfo[] {
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
  idempotencyKey?: string,
): Promise<{ historySeq: number; items: FileInfo[] }> {
  await getEventForFiles(ctx.db, actor, eventId);
  const scope = idempotencyKey ? `files.attach:${actor.id}:${eventId}` : null;
  const h = createHash('sha256').update(note ?? '');
  for (const u of uploads) h.update(u.data);
  const hash = h.digest('hex');
  if (scope) {
    const prior = await ctx.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', idempotencyKey!).executeTakeFirst();
    if (prior) {
      if (prior.request_hash !== hash)
        throw conflict('idempotency_key_reused', '该幂等键已用于另一次上传', 'this Idempotency-Key was used for a different upload', 'Idempotency-Key');
      return (typeof prior.body === 'string' ? JSON.parse(prior.body) : prior.body) as { historySeq: number; items: FileInfo[] };
    }
  }
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
      const result = { historySeq: seq, items: rows.map(toFileInfo) };
      if (scope) {
        const saved = await trx
          .insertInto('idempotency_keys')
          .values({ scope, key: idempotencyKey!, request_hash: hash, status: 201, body: JSON.stringify(result) })
          .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
          .executeTakeFirst();
        if (Number(saved.numInsertedOrUpdatedRows ?? 0) === 0) throw new RetryRace();
      }
      return result;
    });
  } catch (e) {
    await discard(ctx, files);
    if (e instanceof RetryRace) return addEventAttachments(ctx, actor, eventId, uploads, note, ip, idempotencyKey);
    throw e;
  }
}
