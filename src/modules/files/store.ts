import type { Selectable } from 'kysely';
import type { Tx } from '../../context.js';
import { inScope, type Actor } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import type { IngestedFile } from './ingest.js';
import type { FilesTable } from './tables.js';
import { findEventInScope } from '../events/store.js';

export type FileRow = Selectable<FilesTable>;

/** What clients see of a file. Download URLs go through the jurisdiction guard. */
export interface FileInfo {
  id: string;
  kind: 'image' | 'video';
  mime: string;
  name: string | null;
  /** Same as `name`. */
  originalName: string | null;
  size: number;
  width: number | null;
  height: number | null;
  url: string;
  thumbUrl: string | null;
  eventId: string | null;
  historySeq: number | null;
  createdAt: string;
}

export function toFileInfo(r: FileRow): FileInfo {
  return {
    id: r.id,
    kind: r.kind,
    mime: r.mime,
    name: r.original_name,
    originalName: r.original_name,
    size: Number(r.size_bytes),
    width: r.width,
    height: r.height,
    url: `/api/v1/files/${r.id}`,
    thumbUrl: r.thumb_key ? `/api/v1/files/${r.id}/thumb` : null,
    eventId: r.event_id,
    historySeq: r.history_seq,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function insertFiles(trx: Tx, files: IngestedFile[], by: { userId: string | null }): Promise<void> {
  if (!files.length) return;
  await trx
    .insertInto('files')
    .values(
      files.map((f) => ({
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
        uploaded_by: by.userId,
        public_upload: by.userId == null,
      })),
    )
    .execute();
}

/** Where files are attached: an event (optionally one history step), or another record with its region. */
export type AttachTarget =
  | { eventId: string; historySeq?: number | null; regionPath?: string }
  | { entity: string; entityId: string; regionPath: string };

/** Most files one record may carry in one go. */
export const MAX_ATTACH = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Attaches pre-uploaded files to a record, in the caller's transaction. Each file must exist, be
 * unattached and have been uploaded by the same actor (`null` actor = the public channel, which
 * may only attach public uploads). Anything else is a 422 naming `field` — nothing is attached.
 */
export async function attachFiles(
  trx: Tx,
  actor: Pick<Actor, 'id'> | null,
  fileIds: readonly string[] | undefined | null,
  target: AttachTarget,
  field = 'attachmentIds',
): Promise<FileRow[]> {
  const ids = [...new Set(fileIds ?? [])];
  if (!ids.length) return [];
  if (ids.length > MAX_ATTACH) throw invalid('too_many_attachments', field, `最多可附 ${MAX_ATTACH} 个文件`, `at most ${MAX_ATTACH} files`);
  const bad = ids.find((i) => !UUID.test(i));
  if (bad) throw invalid('attachment_invalid', field, `附件 ${bad} 不存在`, `file ${bad} does not exist`);
  const rows = await trx.selectFrom('files').selectAll().where('id', 'in', ids).forUpdate().execute();
  for (const id of ids) {
    const r = rows.find((x) => x.id === id);
    const mine = r && (actor ? r.uploaded_by === actor.id : r.public_upload);
    if (!r || !mine) throw invalid('attachment_invalid', field, `附件 ${id} 不存在`, `file ${id} does not exist`);
    if (r.entity) throw invalid('attachment_in_use', field, `附件 ${id} 已被使用`, `file ${id} is already attached`);
  }
  let entity: string;
  let entityId: string;
  let regionPath: string | undefined;
  let eventId: string | null = null;
  let historySeq: number | null = null;
  if ('eventId' in target) {
    entity = 'event';
    entityId = eventId = target.eventId;
    historySeq = target.historySeq ?? null;
    regionPath = target.regionPath;
    if (!regionPath) {
      const ev = await trx.selectFrom('events').select('region_path').where('id', '=', target.eventId).executeTakeFirst();
      if (!ev) throw notFound('event', '事件');
      regionPath = ev.region_path;
    }
  } else {
    ({ entity, entityId, regionPath } = target);
  }
  const attachedAt = new Date();
  await trx
    .updateTable('files')
    .set({ entity, entity_id: entityId, event_id: eventId, history_seq: historySeq, region_path: regionPath, attached_at: attachedAt })
    .where('id', 'in', ids)
    .execute();
  return rows.map((r) => ({ ...r, entity, entity_id: entityId, event_id: eventId, history_seq: historySeq, region_path: regionPath!, attached_at: attachedAt }));
}

export interface EventAccessRow {
  id: string;
  region_path: string;
}

/**
 * I4 for an event's files: exactly the events module's visibility rule (the place in the
 * caller's scope, or the caller holds it; own events only for business/volunteer accounts).
 */
export async function getEventForFiles(db: Tx, actor: Actor, eventId: string, field?: string): Promise<EventAccessRow> {
  const ev = await findEventInScope(db, actor, eventId);
  if (!ev) throw notFound('event', '事件', field);
  return ev;
}

/** A file the caller may download, or 404: the uploader always; otherwise by the record's jurisdiction. */
export async function getFileForActor(db: Tx, actor: Actor, id: string): Promise<FileRow> {
  if (!UUID.test(id)) throw notFound('file', '文件');
  const r = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('file', '文件');
  if (r.uploaded_by === actor.id) return r;
  if (r.event_id) {
    if (await findEventInScope(db, actor, r.event_id)) return r;
    throw notFound('file', '文件');
  }
  if (r.entity && inScope(actor.scope, r.region_path)) return r;
  throw notFound('file', '文件');
}

export async function listEventFiles(db: Tx, eventId: string): Promise<FileRow[]> {
  return db.selectFrom('files').selectAll().where('event_id', '=', eventId).orderBy('created_at').orderBy('id').execute();
}
