import { createHash } from 'node:crypto';
import type { Tx } from '../../context.js';
import { invalid } from '../../domain/errors.js';

/**
 * E15/N3: writes a mobile client may retry answer the same key with the first answer. One store
 * for every command that takes an `Idempotency-Key` (events, actions, patrols …).
 */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex');
}

/** The first answer to this key, or undefined. The same key with another request is refused (422). */
export async function findReply<T>(db: Tx, scope: string, key: string | null, hash: string): Promise<{ status: number; body: T } | undefined> {
  if (!key) return undefined;
  const r = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
  if (!r) return undefined;
  if (r.request_hash !== hash) {
    throw invalid('idempotency_key_reused', 'Idempotency-Key', '该幂等键已用于另一个请求', 'this Idempotency-Key was used for a different request');
  }
  return { status: r.status, body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as T };
}

/** A reply to record with the command's own writes (see runIdempotent's `runAtomic`). */
export interface PendingReply {
  scope: string;
  key: string;
  hash: string;
  status: number;
}

/** The idempotency_keys row of a reply. */
export function replyValues(r: PendingReply, body: unknown) {
  return { scope: r.scope, key: r.key, request_hash: r.hash, status: r.status, body: JSON.stringify(body) };
}

/** Records the answer in the command's own transaction (a concurrent twin hits the primary key). */
export async function saveReply(trx: Tx, scope: string, key: string | null, hash: string, status: number, body: unknown): Promise<void> {
  if (!key) return;
  await trx.insertInto('idempotency_keys').values(replyValues({ scope, key, hash, status }, body)).execute();
}
