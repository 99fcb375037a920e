import { newId } from '../../db/ids.js';
import type { Tx } from '../../context.js';

export interface Notice {
  userId?: string | null;
  /** For people without an account: e.g. `tracking:<code>`. */
  recipientKey?: string | null;
  kind: string;
  title: string;
  body?: string | null;
  eventId?: string | null;
  link?: string | null;
}

/** The notification rows and their outbox rows for a list of notices (ids are time-ordered). */
export function noticeRows(notices: Notice | Notice[]) {
  const list = (Array.isArray(notices) ? notices : [notices]).filter((n) => n.userId || n.recipientKey);
  const rows = list.map((n) => ({
    id: newId(),
    user_id: n.userId ?? null,
    recipient_key: n.recipientKey ?? null,
    kind: n.kind,
    title: n.title,
    body: n.body ?? null,
    event_id: n.eventId ?? null,
    link: n.link ?? null,
  }));
  return { notifications: rows, outbox: rows.map((r) => ({ topic: `notification.${r.kind}`, payload: JSON.stringify(r) })) };
}

/** In-app notification plus an outbox row for other channels, in the caller's transaction. */
export async function notify(trx: Tx, notices: Notice | Notice[]): Promise<void> {
  const { notifications, outbox } = noticeRows(notices);
  if (!notifications.length) return;
  await trx.insertInto('notifications').values(notifications).execute();
  await trx.insertInto('outbox').values(outbox).execute();
}

/** An integration message (X3 webhooks: event closed, penalty recorded …). */
export async function enqueueOutbox(trx: Tx, topic: string, payload: unknown, channel = 'webhook'): Promise<void> {
  await trx.insertInto('outbox').values({ topic, channel, payload: JSON.stringify(payload) }).execute();
}
