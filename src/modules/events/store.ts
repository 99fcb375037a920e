import { CompiledQuery, sql, type Insertable, type Selectable } from 'kysely';
import { batcher, perDatabase, writeBatcher } from '../../db/batcher.js';
import type { Tx } from '../../context.js';
import type { EventsTable } from '../../db/schema.js';
import type { Actor } from '../../domain/access.js';
import { notFound } from '../../domain/errors.js';
import { pathIds } from '../../domain/hierarchy.js';
import { normalizeDeadlineSettings, type DeadlineSettings } from '../../domain/deadlines.js';
import {
  ACTIVE_STATES,
  TIER_ROLES,
  TIERS,
  allowedActions,
  isHolder,
  type ActingActor,
  type ActionType,
  type Channel,
  type EventSnapshot,
  type EventState,
  type HistoryEntry,
  type Holder,
  type HotspotGroup,
  type Penalty,
  type RoutingWorld,
  type Tier,
} from '../../domain/events/index.js';
import { scopeCondition } from '../regions/store.js';
import { maskPhone } from '../identity/store.js';
import type { noticeRows } from '../notifications/store.js';
import type { auditValues } from '../audit/store.js';
import type { replyValues } from '../idempotency/store.js';

export type EventRow = Selectable<EventsTable>;

export interface HistoryRow {
  event_id: string;
  seq: number;
  type: string;
  actor_id: string | null;
  actor_role: string | null;
  from_state: string | null;
  to_state: string | null;
  from_tier: string | null;
  to_tier: string | null;
  from_holder: unknown;
  to_holder: unknown;
  note: string | null;
  detail: unknown;
  public_note: string | null;
  at: Date;
}

// ------------------------------------------------------------------ JSON (API.md "Event")

const idStr = (v: number | string | null | undefined) => (v == null ? null : String(v));
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

export interface HolderJson {
  tier: string;
  regionId: string | null;
  organizationId: string | null;
  userId: string | null;
  regionName?: string | null;
  organizationName?: string | null;
  userName?: string | null;
}

export interface EventHistoryJson {
  seq: number;
  type: string;
  actorId: string | null;
  actorRole: string | null;
  fromState: string | null;
  toState: string | null;
  fromTier: string | null;
  toTier: string | null;
  fromHolder: HolderJson | null;
  toHolder: HolderJson | null;
  note: string | null;
  detail: unknown;
  publicNote: string | null;
  at: string;
  actorName?: string | null;
}

export interface EventJson {
  id: string;
  channel: string;
  title: string;
  description: string;
  categoryCode: string | null;
  businessId: string | null;
  regionId: string;
  regionName?: string | null;
  businessName?: string | null;
  categoryName?: string | null;
  location: { lat: number; lng: number } | null;
  state: string;
  tier: string;
  holder: HolderJson;
  originTier: string;
  version: number;
  deadline: string | null;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  result: string | null;
  feedback: string | null;
  feedbackAt: string | null;
  rejectReason: string | null;
  trackingCode: string | null;
  collectorId: string | null;
  hotspot: boolean;
  /** E12: the event this report was linked to as a duplicate (state `merged`). */
  duplicateOf: string | null;
  reopenCount: number;
  rectification: { deadline: string | null; requirement: string | null; overdue: boolean } | null;
  case: { caseNo: string | null; decision: string | null; penalty: string | null } | null;
  /** I5: shown in full only to the holder; masked for everyone else. */
  reporterPhone: string | null;
  anonymous: boolean;
  rating: number | null;
  /** What the caller may do now (buttons in the console). */
  allowedActions: ActionType[];
  history?: EventHistoryJson[];
}

function holderJson(h: any): HolderJson | null {
  if (!h) return null;
  return { tier: h.tier, regionId: idStr(h.regionId), organizationId: idStr(h.organizationId), userId: h.userId ?? null };
}

export function holderOf(row: EventRow): Holder {
  return { tier: row.tier as Tier, regionId: row.holder_region_id, organizationId: row.holder_org_id, userId: row.holder_user_id };
}

function parseJson<T>(v: unknown): T | null {
  if (v == null) return null;
  if (typeof v === 'string') return JSON.parse(v) as T;
  return v as T;
}

export function toSnapshot(row: EventRow): EventSnapshot {
  return {
    id: row.id,
    channel: row.channel as Channel,
    state: row.state as EventState,
    tier: row.tier as Tier,
    originTier: row.origin_tier as Tier,
    holder: holderOf(row),
    version: row.version,
    regionPath: row.region_path,
    businessId: row.business_id,
    collectorId: row.collector_id,
    deadline: row.deadline ? new Date(row.deadline) : null,
    tierEnteredAt: new Date(row.tier_entered_at),
    rectificationDeadline: row.rectification_deadline ? new Date(row.rectification_deadline) : null,
    rectificationRequirement: row.rectification_requirement,
    result: row.result,
    feedback: row.feedback,
    feedbackAt: row.feedback_at,
    rejectReason: row.reject_reason,
    caseNo: row.case_no,
    caseDecision: row.case_decision,
    penalty: row.penalty as Penalty | null,
    mergedInto: row.merged_into,
    hotspot: row.hotspot,
    reopenCount: row.reopen_count,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    returnTo: parseJson<Holder>(row.return_to),
  };
}

export function actingActor(actor: Actor): ActingActor {
  return {
    kind: 'user',
    id: actor.id,
    role: actor.role,
    regionId: actor.regionId,
    organizationId: actor.organizationId,
    organizationType: actor.organizationType,
    scope: actor.scope,
    businessId: actor.businessId ?? null,
  };
}

export function historyJson(h: HistoryRow): EventHistoryJson {
  return {
    seq: h.seq,
    type: h.type,
    actorId: h.actor_id,
    actorRole: h.actor_role,
    fromState: h.from_state,
    toState: h.to_state,
    fromTier: h.from_tier,
    toTier: h.to_tier,
    fromHolder: holderJson(parseJson(h.from_holder)),
    toHolder: holderJson(parseJson(h.to_holder)),
    note: h.note,
    detail: parseJson(h.detail),
    publicNote: h.public_note,
    at: iso(h.at)!,
  };
}

export function isOverdueRow(row: Pick<EventRow, 'state' | 'deadline'>, now: Date): boolean {
  return (ACTIVE_STATES as string[]).includes(row.state) && !!row.deadline && new Date(row.deadline).getTime() < now.getTime();
}

/** The Event of API.md (+ fields the console needs). `history` undefined = list form. */
export function toEventJson(row: EventRow, history: HistoryRow[] | undefined, actor: Actor | null, now: Date = new Date(), names?: NameMaps): EventJson {
  const snap = toSnapshot(row);
  const holder = holderJson(snap.holder)!;
  if (names) {
    holder.regionName = snap.holder.regionId != null ? (names.regions.get(snap.holder.regionId) ?? null) : null;
    holder.organizationName = snap.holder.organizationId != null ? (names.orgs.get(snap.holder.organizationId) ?? null) : null;
    holder.userName = snap.holder.userId ? (names.users.get(snap.holder.userId) ?? null) : null;
  }
  const acting = actor ? actingActor(actor) : null;
  const holderSees = acting ? isHolder(snap, acting) : false;
  const rectDeadline = row.rectification_deadline ? new Date(row.rectification_deadline) : null;
  return {
    id: row.id,
    channel: row.channel,
    title: row.title,
    description: row.description,
    categoryCode: row.category_code,
    businessId: row.business_id,
    regionId: String(row.region_id),
    ...(names
      ? {
          regionName: names.regions.get(row.region_id) ?? null,
          businessName: row.business_id ? (names.businesses.get(row.business_id) ?? null) : null,
          categoryName: row.category_code ? (names.categories.get(row.category_code) ?? null) : null,
        }
      : {}),
    location: row.lat != null && row.lng != null ? { lat: row.lat, lng: row.lng } : null,
    state: row.state,
    tier: row.tier,
    holder,
    originTier: row.origin_tier,
    version: row.version,
    deadline: iso(row.deadline),
    overdue: isOverdueRow(row, now),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    resolvedAt: iso(row.resolved_at),
    closedAt: iso(row.closed_at),
    result: row.result,
    feedback: row.feedback,
    feedbackAt: iso(row.feedback_at),
    rejectReason: row.reject_reason,
    trackingCode: row.tracking_code,
    collectorId: row.collector_id,
    hotspot: row.hotspot,
    duplicateOf: row.merged_into,
    reopenCount: row.reopen_count,
    rectification:
      row.rectification_requirement || rectDeadline
        ? {
            deadline: iso(rectDeadline),
            requirement: row.rectification_requirement,
            overdue: row.state === 'rectifying' && !!rectDeadline && rectDeadline.getTime() < now.getTime(),
          }
        : null,
    case: row.case_no ? { caseNo: row.case_no, decision: row.case_decision, penalty: row.penalty } : null,
    reporterPhone: holderSees ? row.reporter_phone : maskPhone(row.reporter_phone),
    anonymous: row.reporter_anonymous,
    rating: row.rating,
    allowedActions: acting
      ? allowedActions(snap, acting, { selfHandleTiers: row.category_code ? names?.selfHandle.get(row.category_code) : null })
      : [],
    ...(history
      ? { history: history.map((h) => ({ ...historyJson(h), ...(names ? { actorName: h.actor_id ? (names.users.get(h.actor_id) ?? null) : null } : {}) })) }
      : {}),
  };
}

// ------------------------------------------------------------------ jurisdiction

/** Roles that see only what they reported or hold, not everything in their region. */
export const OWN_ONLY_ROLES = new Set(['business', 'volunteer']);

/** Tiers an actor's role works when an event is held by a region (grid leaders, coordinators…). */
export function tiersOfRole(role: string): Tier[] {
  return TIERS.filter((t) => (TIER_ROLES[t] as readonly string[]).includes(role));
}

/** SQL: the caller holds the event (as the person, the organisation, or the region-held tier). */
export function holderCondition(actor: Actor, alias = 'e') {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const parts = [sql`${col('holder_user_id')} = ${actor.id}`];
  if (actor.organizationId != null) parts.push(sql`(${col('holder_user_id')} IS NULL AND ${col('holder_org_id')} = ${actor.organizationId})`);
  const tiers = tiersOfRole(actor.role);
  if (actor.regionId != null && tiers.length) {
    // Same rule as isHolder: a member of an organisation never holds another organisation's event through its seat.
    const orgFree = actor.organizationId != null ? sql` AND ${col('holder_org_id')} IS NULL` : sql``;
    parts.push(sql`(${col('holder_user_id')} IS NULL AND ${col('holder_region_id')} = ${actor.regionId} AND ${col('tier')} IN (${sql.join(tiers)})${orgFree})`);
  }
  return sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

/** I4 for events: the place is in the caller's scope, or the caller holds it (a department, a brigade). */
export function eventScopeCondition(actor: Actor, alias = 'e') {
  if (OWN_ONLY_ROLES.has(actor.role)) {
    const own = actor.role === 'business' && actor.businessId ? sql` OR ${sql.ref(`${alias}.business_id`)} = ${actor.businessId}` : sql``;
    return sql<boolean>`(${sql.ref(`${alias}.collector_id`)} = ${actor.id} OR ${holderCondition(actor, alias)}${own})`;
  }
  return sql<boolean>`(${scopeCondition(`${alias}.region_path`, actor.scope)} OR ${holderCondition(actor, alias)})`;
}

/** The event if the caller may see it (I4: otherwise nothing, which the caller turns into 404). */
export async function findEventInScope(db: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<EventRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const q = sql<EventRow>`SELECT e.* FROM events e WHERE e.id = ${id} AND ${eventScopeCondition(actor)}${opts.forUpdate ? sql` FOR UPDATE` : sql``}`;
  return (await q.execute(db)).rows[0];
}

export async function getEventInScope(db: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean; field?: string } = {}): Promise<EventRow> {
  const row = await findEventInScope(db, actor, id, opts);
  if (!row) throw notFound('event', '事件', opts.field);
  return row;
}

export async function lockEvent(db: Tx, id: string): Promise<EventRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return (await sql<EventRow>`SELECT * FROM events WHERE id = ${id} FOR UPDATE`.execute(db)).rows[0];
}

export async function loadHistory(db: Tx, eventId: string): Promise<HistoryRow[]> {
  return db.selectFrom('event_history').selectAll().where('event_id', '=', eventId).orderBy('seq').execute() as Promise<HistoryRow[]>;
}

// ------------------------------------------------------------------ routing world

/**
 * SQL text: the routing world (E2–E7) of the place whose ancestor ids are the bigint[] expression
 * `ids`, as three json columns `ancestors`, `orgs`, `handlers`: its ancestors, the organisations
 * whose jurisdictions cover it and its region-held handlers. One statement, not three; each part
 * walks the handful of ancestor ids through primary keys (unnest), whatever the plan cache does.
 * Where `skip` holds, the three columns are NULL and nothing is read (the caller has the world).
 * Text, not a kysely template: intake's context read is one fixed text per batch size (below).
 */
function routingWorldColumns(ids: string, skip = 'false') {
  return `
    CASE WHEN ${skip} THEN NULL ELSE (SELECT COALESCE(json_agg(json_build_object('id', r.id, 'level', r.level, 'name', r.name, 'path', r.path) ORDER BY r.depth), '[]')
       FROM unnest(${ids}) AS i(id) JOIN regions r ON r.id = i.id) END AS ancestors,
    CASE WHEN ${skip} THEN NULL ELSE (SELECT COALESCE(json_agg(json_build_object('id', x.id, 'type', x.type, 'name', x.name, 'regionId', x.region_id, 'jurisdictionPaths', x.paths)), '[]')
       FROM (SELECT o.id, o.type, o.name, o.region_id, array_agg(jr.path) AS paths
               FROM unnest(${ids}) AS i(id)
               -- OFFSET 0 keeps this a per-ancestor index probe (flattened, the generic plan hashes the whole table)
               CROSS JOIN LATERAL (SELECT oj.organization_id, oj.region_id FROM organization_jurisdictions oj WHERE oj.region_id = i.id OFFSET 0) oj
               JOIN organizations o ON o.id = oj.organization_id
               JOIN regions jr ON jr.id = oj.region_id
              GROUP BY o.id, o.type, o.name, o.region_id) x) END AS orgs,
    CASE WHEN ${skip} THEN NULL ELSE (SELECT COALESCE(json_agg(json_build_object('id', u.id, 'role', u.role, 'regionId', u.region_id, 'organizationId', u.organization_id)), '[]')
       FROM unnest(${ids}) AS i(id) JOIN users u ON u.region_id = i.id
      WHERE u.role IN ('grid_leader', 'village_coordinator') AND u.disabled = false) END AS handlers`;
}

interface WorldColumns {
  ancestors: unknown;
  orgs: unknown;
  handlers: unknown;
}

function worldOf(r: WorldColumns): RoutingWorld {
  const ancestors = (parseJson<RoutingWorld['ancestors']>(r.ancestors) ?? []).map((a) => ({ ...a, id: Number(a.id) }));
  const orgs = (parseJson<RoutingWorld['orgs']>(r.orgs) ?? []).map((o) => ({ ...o, id: Number(o.id), regionId: Number(o.regionId) }));
  const handlers = (parseJson<RoutingWorld['handlers']>(r.handlers) ?? []).map((h) => ({
    ...h,
    regionId: h.regionId == null ? null : Number(h.regionId),
    organizationId: h.organizationId == null ? null : Number(h.organizationId),
  }));
  return { ancestors, orgs, handlers };
}

/** Ancestors of the place, the organisations covering it and its region-held handlers (E2–E7). */
export async function loadRoutingWorld(db: Tx, placePath: string): Promise<RoutingWorld> {
  const ids = pathIds(placePath);
  if (!ids.length) return { ancestors: [], orgs: [], handlers: [] };
  const r = await db.executeQuery<WorldColumns>(CompiledQuery.raw(`SELECT ${routingWorldColumns('$1::bigint[]')}`, [ids]));
  return worldOf(r.rows[0]);
}

// ------------------------------------------------------------------ settings

export interface EventSettings {
  deadlines: DeadlineSettings;
  duplicateWindowHours: number;
  hotspotThreshold: number;
  hotspotDays: number;
}

const posInt = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);

const EVENT_SETTING_KEYS = ['event_deadlines', 'duplicate_window_hours', 'hotspot'] as const;
export const DEFAULT_DUPLICATE_WINDOW_HOURS = 72;
export const DEFAULT_HOTSPOT = { threshold: 3, days: 7 };

/** The E10/E12 settings from their stored values (key → value); a hand-edited invalid value falls back to the default. */
export function parseEventSettings(values: Record<string, unknown>): EventSettings {
  const get = (k: string) => parseJson(values[k]);
  let dl: DeadlineSettings;
  try {
    dl = normalizeDeadlineSettings(get('event_deadlines'));
  } catch {
    // a hand-edited invalid row must not stop intake
    dl = normalizeDeadlineSettings(undefined);
  }
  const h = (get('hotspot') ?? {}) as { threshold?: unknown; days?: unknown };
  return {
    deadlines: dl,
    duplicateWindowHours: posInt(get('duplicate_window_hours'), DEFAULT_DUPLICATE_WINDOW_HOURS),
    hotspotThreshold: posInt(h.threshold, DEFAULT_HOTSPOT.threshold),
    hotspotDays: posInt(h.days, DEFAULT_HOTSPOT.days),
  };
}

/** Settings `event_deadlines`, `duplicate_window_hours` (72), `hotspot` {threshold 3, days 7}: one query. */
export async function loadEventSettings(db: Tx): Promise<EventSettings> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'in', [...EVENT_SETTING_KEYS]).execute();
  return parseEventSettings(Object.fromEntries(rows.map((r) => [r.key, r.value])));
}

/** SQL text: a stored positive number (`value` or `value->'field'`), else the default, as parseEventSettings reads it. */
function settingNumber(key: (typeof EVENT_SETTING_KEYS)[number], field: string | null, fallback: number) {
  const v = field ? `value -> '${field}'` : 'value';
  return `COALESCE((SELECT CASE WHEN jsonb_typeof(${v}) = 'number' AND (${v})::text::numeric > 0 THEN (${v})::text::numeric END
                      FROM settings WHERE key = '${key}'), ${fallback}::numeric)`;
}

// ------------------------------------------------------------------ intake context

/** E12: states in which an event still takes duplicates and hotspot flags. */
export const LINKABLE_STATES: readonly EventState[] = ['open', 'in_progress', 'rectifying', 'resolved'];

/** Everything intake (E1/E2/E12/E15) reads before it writes, from one statement. */
export interface IntakeContext {
  /** The place: the business's unit or the given region; null = not found. */
  place: { businessId: string | null; regionId: number; path: string } | null;
  /** E15: the event this collector already created from this client id. */
  existingId: string | null;
  /** E11: the category code is in the item catalogue (true when none was given). */
  categoryKnown: boolean;
  settings: EventSettings;
  world: RoutingWorld;
  /** E12: the open event on the same business and category within the duplicate window. */
  duplicate: { id: string; title: string } | null;
  /**
   * E12 hotspot groups the new report falls into: reports already in the window (without the
   * new one) and whether any still-open one is not yet flagged.
   */
  hotspotGroups: HotspotGroup[];
}

export interface IntakeContextQuery {
  businessId: string | null;
  regionId: number | null;
  collectorId: string | null;
  clientId: string | null;
  categoryCode: string | null;
  now: Date;
}

type IntakeContextRow = WorldColumns & {
  world_v: string;
  business_id: string | null;
  region_id: number | null;
  path: string | null;
  settings: unknown;
  existing_id: string | null;
  category_known: boolean;
  duplicate: unknown;
  business_reports: number | null;
  business_unflagged: boolean | null;
  village_reports: number | null;
  village_unflagged: boolean | null;
};

/**
 * The intake context read of one or more reports as one statement (one row per report, in
 * order). Its text depends only on the number of reports, not on what they carry, so it is
 * prepared once per connection and size and keeps a generic plan (N3): planning it costs twice
 * its run, so it must stay preparable (no LIKE, one command). The reports are a VALUES list, not
 * arrays: with an array the generic plan's row estimate is a guess, PostgreSQL keeps planning
 * afresh. Each part probes by the report's own values (q.*); a part a report does not need (no
 * client id, no category) finds nothing.
 *
 * The text of each size is made once and kept (`contextText`): building it through kysely for
 * every read, and looking a new multi-kilobyte string up among the prepared statements, took 3% of
 * the server's profile samples under load. $1 is the world version the caller knows; each report is eight values.
 */
export function intakeContextQuery(qs: IntakeContextQuery[], known: { version: string; hints: (string | null)[] } | null = null): CompiledQuery<IntakeContextRow & { ord: number }> {
  const params: unknown[] = [known?.version ?? null];
  qs.forEach((q, i) => params.push(q.businessId, q.regionId, q.collectorId ?? '', q.clientId, q.categoryCode, q.now, i, known?.hints[i] ?? null));
  // one report goes with an empty second row: planned for one row of known values, the
  // statement folds away parts and PostgreSQL then never keeps a generic plan
  if (qs.length === 1) params.push(null, null, '', null, null, qs[0].now, 1, null);
  return CompiledQuery.raw(contextText(Math.max(2, qs.length)), params) as CompiledQuery<IntakeContextRow & { ord: number }>;
}

const CONTEXT_ROW_VALUES = ['uuid', 'bigint', 'text', 'text', 'text', 'timestamptz', 'int', 'text'] as const;
const contextTexts = new Map<number, string>();

function contextText(rows: number): string {
  let text = contextTexts.get(rows);
  if (text) return text;
  const ids = `string_to_array(trim(both '/' from p.path), '/')::bigint[]`;
  const active = LINKABLE_STATES.map((s) => `'${s}'`).join(', ');
  const dupSince = `q.now - ${settingNumber('duplicate_window_hours', null, DEFAULT_DUPLICATE_WINDOW_HOURS)} * interval '1 hour'`;
  const hotSince = `q.now - ${settingNumber('hotspot', 'days', DEFAULT_HOTSPOT.days)} * interval '1 day'`;
  const village = `(SELECT r.path FROM regions r WHERE r.id = ANY(${ids}) AND r.level = 'village' LIMIT 1)`;
  const villageGroup = `e.category_code = q.category_code AND starts_with(e.region_path, ${village})`;
  // a hot group's reports in the window and whether an open one is not flagged yet, from one scan
  const hotGroup = (where: string) =>
    `count(*)::int AS reports, COALESCE(bool_or(NOT e.hotspot AND e.state IN (${active})), false) AS unflagged FROM events e WHERE ${where} AND e.created_at >= ${hotSince}`;
  let n = 1;
  const values = Array.from({ length: rows }, () => `(${CONTEXT_ROW_VALUES.map((type) => `$${++n}::${type}`).join(', ')})`);
  text = `
    SELECT q.ord, (SELECT v FROM routing_world_version)::text AS world_v, p.business_id, p.region_id, p.path, st.settings,
      (SELECT id::text FROM events WHERE q.client_id IS NOT NULL AND COALESCE(collector_id::text, '') = q.collector_id AND client_id = q.client_id) AS existing_id,
      (q.category_code IS NULL OR EXISTS (SELECT 1 FROM catalogue_items WHERE code = q.category_code
                                           UNION ALL SELECT 1 FROM catalogue_categories WHERE code = q.category_code)) AS category_known,
      (SELECT json_build_object('id', e.id, 'title', e.title) FROM events e
        WHERE e.business_id = q.business_id AND e.category_code = q.category_code AND e.created_at >= ${dupSince}
          AND e.state IN (${active}) ORDER BY e.created_at LIMIT 1) AS duplicate,
      bg.reports AS business_reports, bg.unflagged AS business_unflagged, vg.reports AS village_reports, vg.unflagged AS village_unflagged,
      ${routingWorldColumns(ids, `(SELECT v FROM routing_world_version) = $1::bigint AND p.path = q.world_hint`)}
    FROM (VALUES ${values.join(',\n      ')}) AS q(business_id, region_id, collector_id, client_id, category_code, now, ord, world_hint)
    CROSS JOIN (SELECT json_object_agg(key, value)::text AS settings FROM settings WHERE key IN (${EVENT_SETTING_KEYS.map((k) => `'${k}'`).join(', ')})) st
    LEFT JOIN LATERAL (
      SELECT b.id::text AS business_id, b.region_id, b.region_path AS path FROM businesses b WHERE b.id = q.business_id
      UNION ALL
      SELECT NULL, r.id, r.path FROM regions r WHERE q.business_id IS NULL AND r.id = q.region_id
      LIMIT 1) p ON true
    CROSS JOIN LATERAL (SELECT ${hotGroup('e.business_id = q.business_id')}) bg
    CROSS JOIN LATERAL (SELECT ${hotGroup(villageGroup)}) vg
    ORDER BY q.ord`;
  contextTexts.set(rows, text);
  return text;
}

/**
 * N3: the routing worlds intake has built on one database, per place path, good while
 * routing_world_version stays at `version` (migration 0050 moves it with every change routing
 * reads); and the place each business (or region) was last found at, the hint a read sends so
 * that a place whose world is known is not read again.
 */
export interface WorldCache {
  version: string | null;
  worlds: Map<string, RoutingWorld>;
  places: Map<string, string>;
}

/** Worlds kept per database at most (a county has a few thousand places); more starts afresh. */
const WORLD_CACHE_LIMIT = 20_000;

export function newWorldCache(): WorldCache {
  return { version: null, worlds: new Map(), places: new Map() };
}

const placeKey = (q: IntakeContextQuery) => (q.businessId ? `b:${q.businessId}` : `r:${q.regionId}`);

const worldCaches = perDatabase((_db: Tx) => newWorldCache());
const contextReader = perDatabase((db: Tx) => batcher((qs: IntakeContextQuery[]) => loadIntakeContexts(db, qs, worldCaches(db))));

/**
 * One read for a new report: the place, the client-id replay, the catalogue check, the settings,
 * the routing world, the duplicate and the hotspot counts. Outside the writing statement, so a
 * plain report is one read and one write (N3 intake throughput); reads that arrive while others run
 * go together as one statement (`db/batcher.ts`).
 */
export async function loadIntakeContext(db: Tx, q: IntakeContextQuery): Promise<IntakeContext> {
  if (db.isTransaction) return (await loadIntakeContexts(db, [q]))[0];
  return contextReader(db).submit(q);
}

/**
 * The contexts of several reports from one statement. With a `cache`, a report whose place's world
 * the cache holds at the current version gets it from there (the statement skips reading it), and
 * the worlds read are kept.
 */
export async function loadIntakeContexts(db: Tx, qs: IntakeContextQuery[], cache?: WorldCache): Promise<IntakeContext[]> {
  // The worlds this read may skip: those known at this version. This map only ever gains entries
  // (a version change or the size limit replaces it), so every world hinted here is still in it.
  const known = cache?.version != null ? { version: cache.version, worlds: cache.worlds } : null;
  const hints = qs.map((q) => {
    const path = known ? cache!.places.get(placeKey(q)) : undefined;
    return path !== undefined && known!.worlds.has(path) ? path : null;
  });
  const rows = (await db.executeQuery(intakeContextQuery(qs, known && { version: known.version, hints }))).rows;
  if (cache && rows.length && (rows[0].world_v !== cache.version || cache.worlds.size >= WORLD_CACHE_LIMIT || cache.places.size >= WORLD_CACHE_LIMIT)) {
    cache.version = rows[0].world_v;
    cache.worlds = new Map();
    cache.places = new Map();
  }
  return qs.map((q, i) => {
    const row = rows[i];
    let world: RoutingWorld;
    if (row.path == null) world = { ancestors: [], orgs: [], handlers: [] };
    else if (row.ancestors == null) world = known!.worlds.get(row.path)!; // skipped: hinted, so known holds it
    else {
      world = worldOf(row);
      if (cache && row.world_v === cache.version) cache.worlds.set(row.path, world);
    }
    if (cache && row.path != null && row.world_v === cache.version) cache.places.set(placeKey(q), row.path);
    return intakeContextOf(q, row, world);
  });
}

/**
 * The settings of a context row (their JSON text), parsed once for as long as they stay the same:
 * every report reads them, and parsing them (a deep copy of the defaults and a check of every
 * value) was 2% of intake's server time (N3). Frozen, since reports share them.
 */
let lastSettings: { text: string | null; settings: EventSettings } | null = null;
export function settingsOf(text: unknown): EventSettings {
  const parse = () => deepFreeze(parseEventSettings((parseJson<Record<string, unknown>>(text) ?? {}) as Record<string, unknown>));
  if (text !== null && typeof text !== 'string') return parse();
  // null (no event setting stored: all defaults) is kept like any text; the bench's world has none
  if (lastSettings && lastSettings.text === text) return lastSettings.settings;
  lastSettings = { text, settings: parse() };
  return lastSettings.settings;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

function intakeContextOf(q: IntakeContextQuery, row: IntakeContextRow, world: RoutingWorld): IntakeContext {
  const place = row.path != null ? { businessId: row.business_id, regionId: Number(row.region_id), path: row.path } : null;
  const hotspotGroups: IntakeContext['hotspotGroups'] = [];
  if (q.businessId && row.business_reports != null) hotspotGroups.push({ kind: 'business', reports: row.business_reports, unflaggedOpen: !!row.business_unflagged });
  if (q.categoryCode && row.village_reports != null) hotspotGroups.push({ kind: 'village_category', reports: row.village_reports, unflaggedOpen: !!row.village_unflagged });
  return {
    place,
    existingId: row.existing_id,
    categoryKnown: row.category_known,
    settings: settingsOf(row.settings),
    world,
    duplicate: parseJson<{ id: string; title: string }>(row.duplicate),
    hotspotGroups,
  };
}

// ------------------------------------------------------------------ writes

/** The event_history row of an entry. */
export function historyValues(eventId: string, seq: number, h: HistoryEntry, at: Date) {
  return {
    event_id: eventId,
    seq,
    type: h.type,
    actor_id: h.actorId,
    actor_role: h.actorRole,
    from_state: h.fromState,
    to_state: h.toState,
    from_tier: h.fromTier,
    to_tier: h.toTier,
    from_holder: h.fromHolder ? JSON.stringify(h.fromHolder) : null,
    to_holder: JSON.stringify(h.toHolder),
    note: h.note,
    detail: h.detail ? JSON.stringify(h.detail) : null,
    public_note: h.publicNote,
    at,
  };
}

/** Appends the next history entry; `knownSeq` skips the lookup when the caller knows it (1 on create). */
export async function appendHistory(trx: Tx, eventId: string, h: HistoryEntry, at: Date, knownSeq?: number): Promise<number> {
  const next =
    knownSeq ??
    (await sql<{ next: number }>`SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM event_history WHERE event_id = ${eventId}`.execute(trx)).rows[0].next;
  await trx.insertInto('event_history').values(historyValues(eventId, Number(next), h, at)).execute();
  return Number(next);
}

/** What a new event writes: its row, first history entries, tier dwell, notices, audit, and the recorded reply. */
export interface NewEventWrites {
  event: Insertable<EventsTable>;
  history: ReturnType<typeof historyValues>[];
  dwell: { event_id: string; tier: string; region_id: number | null; entered_at: Date } | null;
  notices: ReturnType<typeof noticeRows>;
  audit: ReturnType<typeof auditValues>;
  reply: ReturnType<typeof replyValues> | null;
  /** E12: hot groups whose earlier open reports this report flags (event_flag_hotspot_groups, one call per write). */
  flags?: HotspotFlagWrite[];
}

/** One hot group to flag: the business, or the category within a village's subtree (a LIKE pattern). */
export interface HotspotFlagWrite {
  businessId: string | null;
  categoryCode: string | null;
  pathPattern: string | null;
  since: Date;
  now: Date;
  note: string;
  detail: Record<string, unknown>;
}

/** Columns of one table as a write takes them from `unnest`: name, element type, default when null. */
type UnnestColumns = readonly (readonly [name: string, type: string, fallback?: string])[];

/**
 * The event columns intake writes; `holder_path` is not among them: the statement reads it from
 * the holder's region, as every other write of a holder does.
 */
const EVENT_COLUMNS: UnnestColumns = [
  ['id', 'uuid'], ['channel', 'text'], ['title', 'text'], ['description', 'text'], ['category_code', 'text'], ['business_id', 'uuid'],
  ['region_id', 'bigint'], ['region_path', 'text'], ['lat', 'float8'], ['lng', 'float8'], ['state', 'text'], ['tier', 'text'],
  ['origin_tier', 'text'], ['holder_region_id', 'bigint'], ['holder_org_id', 'bigint'], ['holder_user_id', 'uuid'], ['collector_id', 'uuid'],
  ['collector_org_id', 'bigint'], ['client_id', 'text'], ['version', 'int', '1'], ['hotspot', 'boolean', 'false'],
  ['tier_entered_at', 'timestamptz', 'now()'], ['deadline', 'timestamptz'], ['merged_into', 'uuid'], ['closed_at', 'timestamptz'],
  ['resolved_at', 'timestamptz'], ['result', 'text'], ['feedback', 'text'], ['feedback_at', 'timestamptz'], ['tracking_code', 'text'],
  ['reporter_phone', 'text'], ['reporter_anonymous', 'boolean', 'false'], ['created_at', 'timestamptz', 'now()'], ['updated_at', 'timestamptz', 'now()'],
];
const HISTORY_COLUMNS: UnnestColumns = [
  ['event_id', 'uuid'], ['seq', 'int'], ['type', 'text'], ['actor_id', 'uuid'], ['actor_role', 'text'], ['from_state', 'text'], ['to_state', 'text'],
  ['from_tier', 'text'], ['to_tier', 'text'], ['from_holder', 'jsonb'], ['to_holder', 'jsonb'], ['note', 'text'], ['detail', 'jsonb'],
  ['public_note', 'text'], ['at', 'timestamptz', 'now()'],
];
const DWELL_COLUMNS: UnnestColumns = [['event_id', 'uuid'], ['tier', 'text'], ['region_id', 'bigint'], ['entered_at', 'timestamptz']];
const NOTIFICATION_COLUMNS: UnnestColumns = [
  ['id', 'uuid'], ['user_id', 'uuid'], ['recipient_key', 'text'], ['kind', 'text'], ['title', 'text'], ['body', 'text'], ['event_id', 'uuid'], ['link', 'text'],
];
const OUTBOX_COLUMNS: UnnestColumns = [['topic', 'text'], ['payload', 'jsonb']];
const AUDIT_COLUMNS: UnnestColumns = [
  ['actor_id', 'uuid'], ['actor_name', 'text'], ['action', 'text'], ['entity', 'text'], ['entity_id', 'text'], ['ip', 'text'], ['detail', 'jsonb'],
];
const REPLY_COLUMNS: UnnestColumns = [['scope', 'text'], ['key', 'text'], ['request_hash', 'text'], ['status', 'int'], ['body', 'jsonb']];
/** E12: one hot group to flag per element (see HotspotFlagWrite). */
const FLAG_COLUMNS: UnnestColumns = [
  ['business_id', 'uuid'], ['category_code', 'text'], ['path_pattern', 'text'], ['since', 'timestamptz'], ['now', 'timestamptz'], ['note', 'text'], ['detail', 'jsonb'],
];

/**
 * The text of the statement that writes new events: every table's rows arrive as one array per
 * column (`unnest`), so the text is the same for one event or sixty-four, with or without
 * notices, replies and hotspot flags. It is prepared once per connection and planned once (N3),
 * where a VALUES list made a new text, and a new plan, for every batch size and shape. Arrays
 * suit this statement and not the reads (ARCHITECTURE.md, group commit): its plan chooses
 * nothing by the values it inserts, so PostgreSQL keeps the generic plan (measured: 48 plans for
 * 1,478 writes on 20 connections).
 */
export const NEW_EVENTS_SQL = (() => {
  let n = 0;
  const source = (cols: UnnestColumns, alias: string) =>
    `unnest(${cols.map(([, type]) => `$${++n}::${type}[]`).join(', ')}) AS ${alias}(${cols.map(([name]) => name).join(', ')})`;
  const pick = (cols: UnnestColumns, alias: string) =>
    cols.map(([name, , fallback]) => (fallback ? `COALESCE(${alias}.${name}, ${fallback})` : `${alias}.${name}`)).join(', ');
  const insert = (table: string, cols: UnnestColumns, alias: string) =>
    `INSERT INTO ${table} (${cols.map(([name]) => name).join(', ')}) SELECT ${pick(cols, alias)} FROM ${source(cols, alias)}`;
  const eventSource = source(EVENT_COLUMNS, 'x');
  // E12: one call for the hot groups of every report in the statement (one array per column), the
  // reports written here (skipped: the function may or may not see them) and the states that take a
  // flag; not called when the statement has no group
  const flagCall = () => {
    const args = [...FLAG_COLUMNS.map(([, type]) => `$${++n}::${type}[]`), `$${++n}::uuid[]`, `$${++n}::text[]`];
    const since = args[FLAG_COLUMNS.findIndex(([name]) => name === 'since')];
    return `SELECT CASE WHEN cardinality(${since}) > 0 THEN event_flag_hotspot_groups(${args.join(', ')}) ELSE 0 END AS flagged`;
  };
  const text = `WITH e AS (
      INSERT INTO events (${EVENT_COLUMNS.map(([name]) => name).join(', ')}, holder_path)
      SELECT ${pick(EVENT_COLUMNS, 'x')}, (SELECT r.path FROM regions r WHERE r.id = x.holder_region_id)
        FROM ${eventSource}
      RETURNING id),
    h AS (${insert('event_history', HISTORY_COLUMNS, 'h')}),
    d AS (${insert('event_tier_dwell', DWELL_COLUMNS, 'd')}),
    n AS (${insert('notifications', NOTIFICATION_COLUMNS, 'n')}),
    o AS (${insert('outbox', OUTBOX_COLUMNS, 'o')}),
    a AS (${insert('audit_log', AUDIT_COLUMNS, 'a')}),
    k AS (${insert('idempotency_keys', REPLY_COLUMNS, 'k')}),
    f AS (${flagCall()})
    SELECT (SELECT count(*) FROM e)::int AS written, (SELECT flagged FROM f) AS flagged`;
  return { text, params: n };
})();

const jsonText = (v: unknown) => (v == null ? null : typeof v === 'string' ? v : JSON.stringify(v));

/** One array per column, in the statement's order (JSON columns as their text). */
function columnArrays(cols: UnnestColumns, rows: readonly Record<string, unknown>[]): unknown[][] {
  return cols.map(([name, type]) => rows.map((r) => (type === 'jsonb' ? jsonText(r[name]) : (r[name] ?? null))));
}

/** What an event row may carry: its columns, and `holder_path`, which the answer is built from and the statement reads again from the holder's region. */
const EVENT_COLUMN_NAMES = new Set([...EVENT_COLUMNS.map(([name]) => name), 'holder_path']);

/**
 * Writes new events in one statement (data-modifying CTEs, `NEW_EVENTS_SQL`): atomic on its own,
 * so intake without duplicates to link needs no BEGIN/COMMIT round trips (N3). Several events may
 * go in one statement (group commit, see `intakeWriter`): all of them or none.
 */
export async function insertNewEvents(db: Tx, ws: NewEventWrites[]): Promise<void> {
  for (const w of ws) {
    for (const key of Object.keys(w.event)) {
      if (!EVENT_COLUMN_NAMES.has(key)) throw new Error(`insertNewEvents: events.${key} is not a column intake writes`);
    }
  }
  const all = <T>(f: (w: NewEventWrites) => T[]) => ws.flatMap(f);
  const flags = all((w) => w.flags ?? []);
  const params = [
    ...columnArrays(EVENT_COLUMNS, ws.map((w) => w.event as Record<string, unknown>)),
    ...columnArrays(HISTORY_COLUMNS, all((w) => w.history)),
    ...columnArrays(DWELL_COLUMNS, all((w) => (w.dwell ? [w.dwell] : []))),
    ...columnArrays(NOTIFICATION_COLUMNS, all((w) => w.notices.notifications)),
    ...columnArrays(OUTBOX_COLUMNS, all((w) => w.notices.outbox)),
    ...columnArrays(AUDIT_COLUMNS, ws.map((w) => w.audit)),
    ...columnArrays(REPLY_COLUMNS, all((w) => (w.reply ? [w.reply] : []))),
    ...columnArrays(
      FLAG_COLUMNS,
      flags.map((f) => ({ business_id: f.businessId, category_code: f.categoryCode, path_pattern: f.pathPattern, since: f.since, now: f.now, note: f.note, detail: f.detail })),
    ),
    // E12: the earlier reports of hot groups, flagged inside this statement (the reports written
    // here are skipped: the function may or may not see them)
    ws.map((w) => w.event.id as string),
    [...LINKABLE_STATES],
  ];
  if (params.length !== NEW_EVENTS_SQL.params) throw new Error(`insertNewEvents: ${params.length} parameters for ${NEW_EVENTS_SQL.params}`);
  await db.executeQuery(CompiledQuery.raw(NEW_EVENTS_SQL.text, params));
}

export async function insertNewEvent(db: Tx, w: NewEventWrites): Promise<void> {
  await insertNewEvents(db, [w]);
}

/**
 * N3: the group-commit writer of new events on one database (not inside a transaction): plain
 * reports that arrive together share one statement; each answer waits for its commit. The
 * statement's text does not depend on how many it carries, so all that wait go in the next one.
 */
export const intakeWriter = perDatabase((db: Tx) => writeBatcher((ws: NewEventWrites[]) => insertNewEvents(db, ws), { anySize: true }));

/** The row `insertNewEvent` stores, as SELECT * would return it (the columns intake does not set take their defaults). */
export function newEventRow(v: Insertable<EventsTable>): EventRow {
  return {
    reminded_at: null,
    rectification_deadline: null,
    rectification_requirement: null,
    reject_reason: null,
    case_no: null,
    case_decision: null,
    penalty: null,
    rating: null,
    rating_comment: null,
    reopen_count: 0,
    return_to: null,
    hotspot: false,
    version: 1,
    ...v,
  } as EventRow;
}

export async function startDwell(trx: Tx, eventId: string, tier: string, regionId: number | null, at: Date) {
  await sql`INSERT INTO event_tier_dwell (event_id, tier, region_id, entered_at) VALUES (${eventId}, ${tier}, ${regionId}, ${at})
            ON CONFLICT DO NOTHING`.execute(trx);
}

export async function endDwell(trx: Tx, eventId: string, at: Date) {
  await sql`UPDATE event_tier_dwell SET left_at = ${at} WHERE event_id = ${eventId} AND left_at IS NULL`.execute(trx);
}

/** The people to notify for a holder: the person, the organisation's staff, or the region's people of the tier's roles. */
export async function holderUserIds(trx: Tx, h: Holder): Promise<string[]> {
  if (h.userId) return [h.userId];
  const conds = [];
  if (h.organizationId != null) conds.push(sql`organization_id = ${h.organizationId}`);
  if (h.regionId != null) {
    const orgFree = h.organizationId != null ? sql` AND organization_id IS NULL` : sql``;
    conds.push(sql`(region_id = ${h.regionId} AND role IN (${sql.join([...TIER_ROLES[h.tier]])})${orgFree})`);
  }
  if (!conds.length) return [];
  const r = await sql<{ id: string }>`SELECT id FROM users WHERE disabled = false AND (${sql.join(conds, sql` OR `)}) ORDER BY id LIMIT 200`.execute(trx);
  return r.rows.map((x) => x.id);
}

/** Writes the machine's new snapshot onto the row. */
export async function saveSnapshot(trx: Tx, s: EventSnapshot, at: Date, opts: { deadlineChanged?: boolean } = {}): Promise<EventRow> {
  return trx
    .updateTable('events')
    .set({
      state: s.state,
      tier: s.tier,
      holder_region_id: s.holder.regionId,
      holder_org_id: s.holder.organizationId,
      holder_user_id: s.holder.userId,
      holder_path: sql<string>`(SELECT path FROM regions WHERE id = ${s.holder.regionId})` as any,
      version: s.version,
      tier_entered_at: s.tierEnteredAt,
      deadline: s.deadline,
      rectification_deadline: s.rectificationDeadline,
      rectification_requirement: s.rectificationRequirement,
      result: s.result,
      feedback: s.feedback,
      feedback_at: s.feedbackAt,
      reject_reason: s.rejectReason,
      case_no: s.caseNo,
      case_decision: s.caseDecision,
      penalty: s.penalty,
      merged_into: s.mergedInto,
      hotspot: s.hotspot,
      reopen_count: s.reopenCount,
      resolved_at: s.resolvedAt,
      closed_at: s.closedAt,
      return_to: s.returnTo ? JSON.stringify(s.returnTo) : null,
      updated_at: at,
      // a new deadline gets a new reminder (E10 jobs)
      ...(opts.deadlineChanged ? { reminded_at: null } : {}),
    })
    .where('id', '=', s.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ------------------------------------------------------------------ display names

export interface NameMaps {
  regions: Map<number, string>;
  orgs: Map<number, string>;
  users: Map<string, string>;
  businesses: Map<string, string>;
  categories: Map<string, string>;
  /** E11: catalogue item code → tiers allowed to self-handle (only items that restrict it). */
  selfHandle: Map<string, string[]>;
}

/** Names for the console (place, holder, business, category, history actors), fetched in one batch per kind. */
export async function loadNames(db: Tx, rows: EventRow[], history: HistoryRow[] = []): Promise<NameMaps> {
  const regionIds = new Set<number>();
  const orgIds = new Set<number>();
  const userIds = new Set<string>();
  const businessIds = new Set<string>();
  const categories = new Set<string>();
  for (const r of rows) {
    regionIds.add(r.region_id);
    if (r.holder_region_id != null) regionIds.add(r.holder_region_id);
    if (r.holder_org_id != null) orgIds.add(r.holder_org_id);
    if (r.holder_user_id) userIds.add(r.holder_user_id);
    if (r.business_id) businessIds.add(r.business_id);
    if (r.category_code) categories.add(r.category_code);
  }
  for (const h of history) if (h.actor_id) userIds.add(h.actor_id);
  const [regions, orgs, users, businesses, cats] = await Promise.all([
    regionIds.size ? db.selectFrom('regions').select(['id', 'name']).where('id', 'in', [...regionIds]).execute() : [],
    orgIds.size ? db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', [...orgIds]).execute() : [],
    userIds.size ? db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...userIds]).execute() : [],
    businessIds.size ? db.selectFrom('businesses').select(['id', 'name']).where('id', 'in', [...businessIds]).execute() : [],
    categories.size ? categoryNames(db, [...categories]) : [],
  ]);
  return {
    regions: new Map(regions.map((r) => [r.id, r.name])),
    orgs: new Map(orgs.map((o) => [o.id, o.name])),
    users: new Map(users.map((u) => [u.id, u.display_name])),
    businesses: new Map(businesses.map((b) => [b.id, b.name])),
    categories: new Map(cats.map((c) => [c.code, c.name])),
    selfHandle: new Map(cats.filter((c) => c.tiers?.length).map((c) => [c.code, c.tiers!])),
  };
}

async function categoryNames(db: Tx, codes: string[]): Promise<{ code: string; name: string; tiers: string[] | null }[]> {
  return (
    await sql<{ code: string; name: string; tiers: string[] | null }>`SELECT code, name, self_handle_tiers AS tiers FROM catalogue_items WHERE code IN (${sql.join(codes)})
      UNION ALL SELECT code, name, NULL FROM catalogue_categories WHERE code IN (${sql.join(codes)})`.execute(db)
  ).rows;
}

/** toEventJson for many rows, with names. */
export async function eventsJson(db: Tx, rows: EventRow[], actor: Actor | null, now: Date): Promise<EventJson[]> {
  const names = await loadNames(db, rows);
  return rows.map((r) => toEventJson(r, undefined, actor, now, names));
}

/** toEventJson for one row with its history and names. */
export async function eventJsonWithHistory(db: Tx, row: EventRow, actor: Actor | null, now: Date): Promise<EventJson> {
  const history = await loadHistory(db, row.id);
  const names = await loadNames(db, [row], history);
  return toEventJson(row, history, actor, now, names);
}
