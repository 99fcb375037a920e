import type { Selectable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import type { NotificationTables } from '../../db/schema.js';

type Row = Selectable<NotificationTables['notifications']>;

export interface InboxItem {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  eventId: string | null;
  link: string | null;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toInboxItem(r: Row): InboxItem {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    eventId: r.event_id,
    link: r.link,
    read: r.read_at != null,
    readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * The caller's notifications, newest first. Ids are UUIDv7 (time-ordered), so the cursor is
 * simply the last id seen.
 */
export async function listInbox(
  ctx: AppContext,
  actor: Actor,
  q: { unread?: boolean; kind?: string; limit: number; cursor?: string },
): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
  if (q.cursor && !UUID.test(q.cursor)) throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'invalid cursor');
  const limit = Math.min(q.limit, 200);
  let query = ctx.db.selectFrom('notifications').selectAll().where('user_id', '=', actor.id);
  if (q.unread === true) query = query.where('read_at', 'is', null);
  if (q.unread === false) query = query.where('read_at', 'is not', null);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map(toInboxItem);
  return { items, nextCursor: more ? items[items.length - 1].id : null };
}

export async function countUnread(ctx: AppContext, actor: Actor): Promise<number> {
  const r = await ctx.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', actor.id)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Marks one of the caller's notifications read (idempotent). Another user's → 404. */
export async function markRead(ctx: AppContext, actor: Actor, id: string): Promise<InboxItem> {
  if (!UUID.test(id)) throw notFound('notification', '消息');
  const now = ctx.now();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const r = await trx.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', actor.id).forUpdate().executeTakeFirst();
    if (!r) throw notFound('notification', '消息');
    if (r.read_at) return r;
    return trx.updateTable('notifications').set({ read_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
  return toInboxItem(row);
}

export async function markAllRead(ctx: AppContext, actor: Actor): Promise<number> {
  const r = await ctx.db
    .updateTable('notifications')
    .set({ read_at: ctx.now() })
    .where('user_id', '=', actor.id)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}
