import type { Selectable } from 'kysely';
import type { Tx } from '../../context.js';
import type { Actor } from '../../domain/access.js';
import { inScope } from '../../domain/access.js';
import { invalid, notFound } from '../../domain/errors.js';
import type { PatrolTables } from './tables.js';

export type PatrolRow = Selectable<PatrolTables['patrols']>;
export type PatrolItemRow = Selectable<PatrolTables['patrol_items']>;

export interface PatrolItemJson {
  seq: number;
  aspect: string;
  itemCode: string | null;
  itemName: string | null;
  passed: boolean;
  note: string | null;
  eventId: string | null;
}

export interface PatrolJson {
  id: string;
  businessId: string;
  businessName: string | null;
  regionId: string;
  gridId: string | null;
  type: string;
  channel: string;
  patrollerId: string;
  patrollerName: string | null;
  patrollerRole: string;
  organizationId: string | null;
  patrolledAt: string;
  passed: boolean;
  failedCount: number;
  note: string | null;
  location: { lat: number; lng: number } | null;
  clientId: string | null;
  items: PatrolItemJson[];
  eventIds: string[];
  createdAt: string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function toPatrolJson(
  r: PatrolRow,
  items: Array<PatrolItemRow & { item_name?: string | null }>,
  names: { businessName?: string | null; patrollerName?: string | null } = {},
): PatrolJson {
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  return {
    id: r.id,
    businessId: r.business_id,
    businessName: names.businessName ?? null,
    regionId: String(r.region_id),
    gridId: r.grid_id == null ? null : String(r.grid_id),
    type: r.type,
    channel: r.channel,
    patrollerId: r.patroller_id,
    patrollerName: names.patrollerName ?? null,
    patrollerRole: r.patroller_role,
    organizationId: r.organization_id == null ? null : String(r.organization_id),
    patrolledAt: iso(r.patrolled_at),
    passed: r.passed,
    failedCount: r.failed_count,
    note: r.note,
    location: r.lat != null && r.lng != null ? { lat: r.lat, lng: r.lng } : null,
    clientId: r.client_id,
    items: sorted.map((i) => ({
      seq: i.seq,
      aspect: i.aspect,
      itemCode: i.item_code,
      itemName: i.item_name ?? null,
      passed: i.passed,
      note: i.note,
      eventId: i.event_id,
    })),
    eventIds: [...new Set(sorted.map((i) => i.event_id).filter((e): e is string => !!e))],
    createdAt: iso(r.created_at),
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A patrol with its checklist, or 404 when unknown or outside the caller's jurisdiction (I4). */
export async function loadPatrol(db: Tx, id: string, actor: Actor | null, opts: { forUpdate?: boolean } = {}): Promise<PatrolJson & { _row: PatrolRow }> {
  if (!UUID_RE.test(id)) throw notFound('patrol', '巡查记录', 'id');
  let q = db.selectFrom('patrols').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row || (actor && !inScope(actor.scope, row.region_path))) throw notFound('patrol', '巡查记录', 'id');
  const items = await db
    .selectFrom('patrol_items as i')
    .leftJoin('catalogue_items as c', 'c.code', 'i.item_code')
    .selectAll('i')
    .select('c.name as item_name')
    .where('i.patrol_id', '=', id)
    .execute();
  const b = await db.selectFrom('businesses').select('name').where('id', '=', row.business_id).executeTakeFirst();
  const u = await db.selectFrom('users').select('display_name').where('id', '=', row.patroller_id).executeTakeFirst();
  return { ...toPatrolJson(row, items, { businessName: b?.name, patrollerName: u?.display_name }), _row: row };
}

export function stripRow<T extends { _row?: unknown }>(p: T): Omit<T, '_row'> {
  const { _row, ...rest } = p;
  return rest;
}

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(c: string): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v)) return v;
  } catch {
    /* fall through */
  }
  throw invalid('invalid_cursor', 'cursor', '分页游标无效', 'cursor is invalid');
}
