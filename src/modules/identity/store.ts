import { sql } from 'kysely';
import { batcher, perDatabase } from '../../db/batcher.js';
import type { Tx } from '../../context.js';
import type { Role } from '../../domain/roles.js';
import { scopeOf, type Actor } from '../../domain/access.js';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: string;
  region_id: number | null;
  organization_id: number | null;
  phone: string | null;
  disabled: boolean;
  must_change_password: boolean;
  business_id?: string | null;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  regionId: string | null;
  organizationId: string | null;
  phone: string | null;
  disabled?: boolean;
  mustChangePassword?: boolean;
  businessId?: string | null;
}

/** I5: phone numbers are masked wherever a list shows them (138****1234). */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const d = phone.replace(/\s+/g, '');
  if (d.length >= 7) return `${d.slice(0, 3)}****${d.slice(-4)}`;
  if (d.length >= 3) return `${d.slice(0, 1)}${'*'.repeat(d.length - 2)}${d.slice(-1)}`;
  return '*'.repeat(d.length);
}

export function toUser(r: UserRow, opts: { unmasked?: boolean } = {}): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role as Role,
    regionId: r.region_id == null ? null : String(r.region_id),
    organizationId: r.organization_id == null ? null : String(r.organization_id),
    phone: opts.unmasked ? r.phone : maskPhone(r.phone),
    disabled: r.disabled,
    mustChangePassword: r.must_change_password,
    ...(r.business_id ? { businessId: r.business_id } : {}),
  };
}

export interface SessionActorRow extends UserRow {
  last_seen_at: Date;
  expires_at: Date;
  region_path: string | null;
  org_type: string | null;
  org_paths: string[] | null;
  business_id?: string | null;
}

interface SessionLookup {
  tokenHash: string;
  now: Date;
  /** Touch the session when it was last seen before this. */
  touchBefore: Date;
}

const sessionReader = perDatabase((db: Tx) => batcher((lookups: SessionLookup[]) => findSessionActors(db, lookups)));

/**
 * The session's user, with the session's times as they were before this request. In the same
 * statement the session is touched (last_seen_at = now) when it was last seen more than
 * `touchAfterMs` ago: one round trip per request, where a user who calls every few minutes would
 * otherwise cost a second one each time. (An idle or expired session is deleted by the caller.)
 * Lookups that arrive while others run go together as one statement (N3, `db/batcher.ts`:
 * every request makes one, so under load they share round trips).
 */
export async function findSessionActor(db: Tx, tokenHash: string, now: Date, touchAfterMs: number): Promise<SessionActorRow | undefined> {
  const lookup = { tokenHash, now, touchBefore: new Date(now.getTime() - touchAfterMs) };
  if (db.isTransaction) return (await findSessionActors(db, [lookup]))[0];
  return sessionReader(db).submit(lookup);
}

/**
 * The session lookups of several requests in one statement; one answer per lookup, in order.
 * Stale sessions are touched with the latest `now` of the batch (they arrive within
 * milliseconds); each answer carries the times as they were before. The hashes are an IN list:
 * its text depends on their number only, and unlike an array its generic plan is kept.
 */
export async function findSessionActors(db: Tx, lookups: SessionLookup[]): Promise<(SessionActorRow | undefined)[]> {
  const hashes = lookups.map((l) => l.tokenHash);
  const latest = lookups.reduce((a, l) => (l.now > a.now ? l : a), lookups[0]);
  const r = await sql<SessionActorRow & { token_hash: string }>`
    WITH s AS (SELECT token_hash, user_id, last_seen_at, expires_at FROM sessions WHERE token_hash IN (${sql.join(hashes)})),
    touched AS (
      UPDATE sessions t SET last_seen_at = ${latest.now}
        FROM s WHERE t.token_hash = s.token_hash AND s.last_seen_at < ${latest.touchBefore}
      RETURNING 1)
    SELECT s.token_hash, u.id, u.username, u.display_name, u.role, u.region_id, u.organization_id, u.phone, u.disabled,
           u.must_change_password, u.business_id, s.last_seen_at, s.expires_at, r.path AS region_path, o.type AS org_type,
           (SELECT array_agg(jr.path) FROM organization_jurisdictions oj JOIN regions jr ON jr.id = oj.region_id
             WHERE oj.organization_id = u.organization_id) AS org_paths
      FROM s
      JOIN users u ON u.id = s.user_id
      LEFT JOIN regions r ON r.id = u.region_id
      LEFT JOIN organizations o ON o.id = u.organization_id`.execute(db);
  const byHash = new Map(r.rows.map((row) => [row.token_hash, row]));
  return lookups.map((l) => {
    const row = byHash.get(l.tokenHash);
    if (!row) return undefined;
    const { token_hash: _, ...rest } = row;
    return rest as SessionActorRow;
  });
}

/** Actor for any user id (used by jobs and tests acting as a user). */
export async function loadActor(db: Tx, userId: string): Promise<Actor | undefined> {
  const r = await sql<SessionActorRow>`
    SELECT u.id, u.username, u.display_name, u.role, u.region_id, u.organization_id, u.phone, u.disabled,
           u.must_change_password, u.business_id, r.path AS region_path, o.type AS org_type,
           (SELECT array_agg(jr.path) FROM organization_jurisdictions oj JOIN regions jr ON jr.id = oj.region_id
             WHERE oj.organization_id = u.organization_id) AS org_paths
      FROM users u
      LEFT JOIN regions r ON r.id = u.region_id
      LEFT JOIN organizations o ON o.id = u.organization_id
     WHERE u.id = ${userId}`.execute(db);
  return r.rows[0] ? actorFromRow(r.rows[0]) : undefined;
}

export function actorFromRow(r: SessionActorRow): Actor {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role as Role,
    regionId: r.region_id,
    organizationId: r.organization_id,
    organizationType: r.org_type,
    businessId: r.business_id ?? null,
    scope: scopeOf({ role: r.role as Role, regionPath: r.region_path, organizationJurisdictionPaths: r.org_paths ?? [] }),
  };
}
