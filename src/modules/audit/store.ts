import { createHash } from 'node:crypto';
import { inChunks } from '../../db/pace.js';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../context.js';

export interface AuditEntry {
  actorId?: string | null;
  actorName?: string | null;
  action: string;
  entity?: string;
  entityId?: string | number | null;
  ip?: string | null;
  detail?: unknown;
}

/** The audit_log row of an entry (id, time and seal come from the database). */
export function auditValues(e: AuditEntry) {
  return {
    actor_id: e.actorId ?? null,
    actor_name: e.actorName ?? null,
    action: e.action,
    entity: e.entity ?? null,
    entity_id: e.entityId == null ? null : String(e.entityId),
    ip: e.ip ?? null,
    detail: e.detail === undefined ? null : JSON.stringify(e.detail),
  };
}

/** Written inside the caller's transaction: the audit row commits with the change it records. */
export async function writeAudit(trx: Tx, e: AuditEntry): Promise<void> {
  await trx.insertInto('audit_log').values(auditValues(e)).execute();
}

interface AuditRow {
  id: number;
  at_us: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  ip: string | null;
  detail: string | null;
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export const GENESIS = '0'.repeat(64);

export function entryHash(prev: string, r: Omit<AuditRow, 'chain_seq' | 'prev_hash' | 'hash'>): string {
  const canonical = JSON.stringify([r.id, r.at_us, r.actor_id, r.actor_name, r.action, r.entity, r.entity_id, r.ip, r.detail]);
  return createHash('sha256').update(prev).update('\n').update(canonical).digest('hex');
}

const SELECT_ROWS = sql`SELECT id, (extract(epoch from at) * 1000000)::bigint::text AS at_us, actor_id::text, actor_name, action,
  entity, entity_id, ip, detail::text AS detail, chain_seq, prev_hash, hash FROM audit_log`;

/** Hashes between two turns of the event loop while sealing (about 2 ms of work). */
const YIELD_EVERY = 250;

/**
 * Seals committed rows into the hash chain, in the order the sealer finds them. Writers never
 * wait on the chain (a global lock per write would cap throughput); the sealer runs every few
 * seconds as a job and before every verification. One sealer at a time (advisory lock).
 */
export async function sealAudit(db: Kysely<DB>, opts: { batch?: number; pace?: boolean } = {}): Promise<number> {
  const batch = opts.batch ?? 1000;
  return inChunks(() => sealChunk(db, batch), batch, { pace: opts.pace });
}

/** One transaction: the next `batch` unsealed rows, in id order, onto the chain. */
async function sealChunk(db: Kysely<DB>, batch: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(4242002)`.execute(trx);
    const last = (
      await sql<{ chain_seq: number; hash: string }>`SELECT chain_seq, hash FROM audit_log WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1`.execute(trx)
    ).rows[0];
    let prev = last?.hash ?? GENESIS;
    let seq = last?.chain_seq ?? 0;
    const rows = (await sql<AuditRow>`${SELECT_ROWS} WHERE chain_seq IS NULL ORDER BY id LIMIT ${batch}`.execute(trx)).rows;
    if (!rows.length) return 0;
    const ids: number[] = [];
    const seqs: number[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const [i, r] of rows.entries()) {
      // thousands of hashes are tens of milliseconds of one core: let the requests waiting on
      // this process go between every few hundred, so sealing under load never stalls them
      if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const h = entryHash(prev, r);
      ids.push(r.id);
      seqs.push(++seq);
      prevs.push(prev);
      hashes.push(h);
      prev = h;
    }
    await sql`UPDATE audit_log a SET chain_seq = u.seq, prev_hash = u.prev, hash = u.h
      FROM unnest(${ids}::bigint[], ${seqs}::bigint[], ${prevs}::text[], ${hashes}::text[]) AS u(id, seq, prev, h)
      WHERE a.id = u.id`.execute(trx);
    return rows.length;
  });
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  brokenAt?: { chainSeq: number; id: number; reason: string };
}

/** Walks the whole chain and recomputes every hash. */
export async function verifyAudit(db: Kysely<DB>, pageSize = 10000): Promise<VerifyResult> {
  let prev = GENESIS;
  let expectSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = (
      await sql<AuditRow>`${SELECT_ROWS} WHERE chain_seq >= ${expectSeq} ORDER BY chain_seq LIMIT ${pageSize}`.execute(db)
    ).rows;
    if (!rows.length) break;
    for (const r of rows) {
      if (r.chain_seq !== expectSeq) return { ok: false, checked, brokenAt: { chainSeq: expectSeq, id: r.id, reason: 'missing entry' } };
      if (r.prev_hash !== prev) return { ok: false, checked, brokenAt: { chainSeq: r.chain_seq, id: r.id, reason: 'previous hash mismatch' } };
      const h = entryHash(prev, r);
      if (h !== r.hash) return { ok: false, checked, brokenAt: { chainSeq: r.chain_seq, id: r.id, reason: 'content altered' } };
      prev = h;
      expectSeq++;
      checked++;
    }
  }
  return { ok: true, checked };
}
