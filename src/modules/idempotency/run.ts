import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../../context.js';
import type { DB } from '../../db/schema.js';
import { conflict } from '../../domain/errors.js';
import { findReply, requestHash, saveReply, type PendingReply } from './store.js';

const isUniqueViolation = (e: unknown) => (e as any)?.code === '23505';

/**
 * A creating command a mobile client may retry (E15, N3): the first answer to the same
 * `Idempotency-Key` comes back again; the command and the recorded answer commit together; a
 * concurrent twin that loses the race on a unique key (the idempotency key or the record's own
 * client id) answers with the winner's result instead of an error.
 */
export async function runIdempotent<T>(
  ctx: AppContext,
  opts: {
    scope: string;
    key: string | null | undefined;
    request: unknown;
    status: number;
    /** The command in a transaction; the reply is recorded after it, in the same transaction. */
    run?: (trx: Transaction<DB>) => Promise<T>;
    /**
     * Or the command that commits atomically by itself (one statement, or its own transaction)
     * and records `reply` (null without a key) together with its writes: a one-statement
     * command saves the BEGIN and COMMIT round trips.
     */
    runAtomic?: (db: Kysely<DB>, reply: PendingReply | null) => Promise<T>;
    /** The record the same client id already created, when the twin carried one. */
    findExisting?: () => Promise<T | undefined>;
  },
): Promise<{ status: number; body: T }> {
  const key = opts.key?.trim() || null;
  // without a key nothing is recorded or compared: no hash to work out (N3: every report)
  const hash = key ? requestHash(opts.request) : '';
  const replay = () => findReply<T>(ctx.db, opts.scope, key, hash);
  const first = await replay();
  if (first) return first;
  try {
    const body = opts.runAtomic
      ? await opts.runAtomic(ctx.db, key ? { scope: opts.scope, key, hash, status: opts.status } : null)
      : await ctx.db.transaction().execute(async (trx) => {
          const result = await opts.run!(trx);
          await saveReply(trx, opts.scope, key, hash, opts.status, result);
          return result;
        });
    return { status: opts.status, body };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const again = await replay();
    if (again) return again;
    const existing = await opts.findExisting?.();
    if (existing !== undefined) return { status: opts.status, body: existing };
    throw conflict('concurrent_update', '并发冲突，请重试', 'concurrent update, retry');
  }
}
