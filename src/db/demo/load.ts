import { sql, type RawBuilder } from 'kysely';
import type { AppContext, Tx } from '../../context.js';
import { hashPassword } from '../../modules/identity/passwords.js';
import { writeAudit } from '../../modules/audit/store.js';
import { seedDemoPatrols } from '../../modules/patrols/demo.js';
import { DEMO_PASSWORD } from './accounts.js';
import { buildDemoWorld, type DemoWorld } from './world.js';
import { buildDemoEvents, type CatalogueItem, type DemoEvents } from './events.js';

/** The `settings` key that marks the demo world as loaded (value: version, time, counts). */
export const DEMO_SETTING = 'demo_world';
export const DEMO_VERSION = 1;

export interface DemoCounts {
  regions: number;
  organizations: number;
  users: number;
  businesses: number;
  [k: string]: number;
}

interface Column {
  name: string;
  /** Element type of the array parameter. */
  type: string;
  /** Cast applied after unnest (text → text[] for array columns). */
  cast?: string;
}

/**
 * Bulk insert through `INSERT … SELECT FROM unnest($1::t1[], $2::t2[] …)`: one parameter per
 * column whatever the number of rows, so a batch of thousands is one short statement on both
 * PGlite and PostgreSQL.
 */
/** Milliseconds spent per table by the last load (shown by the benchmark, handy when tuning). */
export const lastLoadTimings: Record<string, number> = {};

async function bulkInsert(trx: Tx, table: string, columns: Column[], rows: unknown[][], batch = 5000): Promise<void> {
  const t0 = performance.now();
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const arrays: RawBuilder<unknown>[] = columns.map((c, i) => sql`${chunk.map((r) => r[i])}::${sql.raw(c.type)}[]`);
    const names = columns.map((c) => sql.ref(c.name));
    const select = columns.map((c, i) => (c.cast ? sql`${sql.ref(`c${i}`)}::${sql.raw(c.cast)}` : sql.ref(`c${i}`)));
    const aliases = columns.map((_, i) => sql.ref(`c${i}`));
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(names)})
      SELECT ${sql.join(select)} FROM unnest(${sql.join(arrays)}) AS t(${sql.join(aliases)})`.execute(trx);
  }
  lastLoadTimings[table] = Math.round(performance.now() - t0);
}

const pgArray = (xs: string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, (c) => '\\' + c)}"`).join(',')}}`;

/** Next free id of an identity column (the demo inserts precomputed ids, then moves the sequence). */
async function nextId(trx: Tx, table: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COALESCE(MAX(id), 0)::bigint + 1 AS n FROM ${sql.table(table)}`.execute(trx);
  return Number(r.rows[0].n);
}

async function bumpSequence(trx: Tx, table: string): Promise<void> {
  await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT COALESCE(MAX(id), 1) FROM ${sql.table(table)}))`.execute(trx);
}

/**
 * Writes the demo world in ONE transaction (all or nothing) and marks it in `settings`.
 * Returns the counts written. Does not check whether it is already loaded: see ensureDemoWorld.
 */
export async function loadDemoWorld(ctx: Pick<AppContext, 'db' | 'now'>, opts: { businesses?: number; events?: number } = {}): Promise<DemoCounts> {
  for (const k of Object.keys(lastLoadTimings)) delete lastLoadTimings[k];
  let t0 = performance.now();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  lastLoadTimings.hash = Math.round(performance.now() - t0);
  return ctx.db.transaction().execute(async (trx) => {
    t0 = performance.now();
    const world = buildDemoWorld({
      regionIdBase: await nextId(trx, 'regions'),
      orgIdBase: await nextId(trx, 'organizations'),
      groupIdBase: await nextId(trx, 'working_groups'),
      today: ctx.now(),
      businesses: opts.businesses,
    });
    // Events follow the item catalogue's self-handle tiers (E11).
    const catalogue = (await sql<CatalogueItem>`SELECT code, name, self_handle_tiers, business_types FROM catalogue_items WHERE active ORDER BY code`.execute(trx)).rows;
    lastLoadTimings.buildWorld = Math.round(performance.now() - t0);
    t0 = performance.now();
    const events = buildDemoEvents(world, { today: ctx.now(), catalogue, count: opts.events });
    lastLoadTimings.buildEvents = Math.round(performance.now() - t0);
    // Case decisions of suspension change the business's status (E7), as the product does.
    for (const b of world.businesses) b.status = events.businessStatus.get(b.id) ?? b.status;
    t0 = performance.now();
    await writeWorld(trx, world, passwordHash);
    lastLoadTimings.writeWorld = Math.round(performance.now() - t0);
    t0 = performance.now();
    // E14: the metrics rollup is computed once, set-based, after the bulk load rather than by its
    // triggers statement by statement (a fresh database: nobody else writes meanwhile).
    await sql`ALTER TABLE events DISABLE TRIGGER event_stats_events_ins`.execute(trx);
    await sql`ALTER TABLE event_tier_dwell DISABLE TRIGGER event_stats_stays_ins`.execute(trx);
    await writeEvents(trx, events);
    lastLoadTimings.writeEvents = Math.round(performance.now() - t0);
    t0 = performance.now();
    await sql`ALTER TABLE events ENABLE TRIGGER event_stats_events_ins`.execute(trx);
    await sql`ALTER TABLE event_tier_dwell ENABLE TRIGGER event_stats_stays_ins`.execute(trx);
    await sql`SELECT event_stats_rebuild()`.execute(trx);
    lastLoadTimings.rollup = Math.round(performance.now() - t0);
    // P1/P2: three months of grid patrols, so coverage and "last patrolled" show a real county.
    t0 = performance.now();
    const patrols = await seedDemoPatrols(trx, { now: ctx.now() });
    lastLoadTimings.patrols = Math.round(performance.now() - t0);
    for (const t of ['regions', 'organizations', 'working_groups']) await bumpSequence(trx, t);
    const counts: DemoCounts = {
      regions: world.regions.length,
      organizations: world.organizations.length,
      users: world.users.length,
      businesses: world.businesses.length,
      stationVillageAssignments: world.assignments.length,
      workingGroups: world.groups.length,
      events: events.events.length,
      eventHistory: events.history.length,
      notifications: events.notifications.length,
      patrols: patrols.patrols,
    };
    const value = JSON.stringify({ version: DEMO_VERSION, loadedAt: ctx.now().toISOString(), counts });
    await sql`INSERT INTO settings (key, value) VALUES (${DEMO_SETTING}, ${value}::jsonb)
              ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`.execute(trx);
    await writeAudit(trx, { action: 'demo_world_loaded', entity: 'settings', entityId: DEMO_SETTING, detail: counts });
    return counts;
  });
}

async function writeWorld(trx: Tx, w: DemoWorld, passwordHash: string): Promise<void> {
  await bulkInsert(
    trx,
    'regions',
    [
      { name: 'id', type: 'bigint' },
      { name: 'code', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'level', type: 'text' },
      { name: 'parent_id', type: 'bigint' },
      { name: 'path', type: 'text' },
      { name: 'depth', type: 'int' },
    ],
    w.regions.map((r) => [r.id, r.code, r.name, r.level, r.parent_id, r.path, r.depth]),
  );
  await bulkInsert(
    trx,
    'organizations',
    [
      { name: 'id', type: 'bigint' },
      { name: 'type', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'region_id', type: 'bigint' },
      { name: 'parent_id', type: 'bigint' },
      { name: 'department_kind', type: 'text' },
      { name: 'is_branch', type: 'boolean' },
    ],
    w.organizations.map((o) => [o.id, o.type, o.name, o.code, o.region_id, o.parent_id, o.department_kind, o.is_branch]),
  );
  await bulkInsert(
    trx,
    'organization_jurisdictions',
    [
      { name: 'organization_id', type: 'bigint' },
      { name: 'region_id', type: 'bigint' },
    ],
    w.jurisdictions.map((j) => [j.organization_id, j.region_id]),
  );
  await bulkInsert(
    trx,
    'users',
    [
      { name: 'id', type: 'uuid' },
      { name: 'username', type: 'text' },
      { name: 'display_name', type: 'text' },
      { name: 'role', type: 'text' },
      { name: 'region_id', type: 'bigint' },
      { name: 'organization_id', type: 'bigint' },
      { name: 'phone', type: 'text' },
      { name: 'password_hash', type: 'text' },
      { name: 'must_change_password', type: 'boolean' },
    ],
    w.users.map((u) => [u.id, u.username, u.display_name, u.role, u.region_id, u.organization_id, u.phone, passwordHash, false]),
  );
  await bulkInsert(
    trx,
    'station_village_assignments',
    [
      { name: 'user_id', type: 'uuid' },
      { name: 'village_id', type: 'bigint' },
    ],
    w.assignments.map((a) => [a.user_id, a.village_id]),
  );
  await bulkInsert(
    trx,
    'working_groups',
    [
      { name: 'id', type: 'bigint' },
      { name: 'organization_id', type: 'bigint' },
      { name: 'name', type: 'text' },
    ],
    w.groups.map((g) => [g.id, g.organization_id, g.name]),
  );
  await bulkInsert(
    trx,
    'working_group_members',
    [
      { name: 'group_id', type: 'bigint' },
      { name: 'user_id', type: 'uuid' },
      { name: 'position', type: 'text' },
      { name: 'duty', type: 'text' },
    ],
    w.members.map((m) => [m.group_id, m.user_id, m.position, m.duty]),
  );
  await bulkInsert(
    trx,
    'businesses',
    [
      { name: 'id', type: 'uuid' },
      { name: 'name', type: 'text' },
      { name: 'credit_code', type: 'text' },
      { name: 'license_no', type: 'text' },
      { name: 'license_expiry', type: 'date' },
      { name: 'type', type: 'text' },
      { name: 'region_id', type: 'bigint' },
      { name: 'region_path', type: 'text' },
      { name: 'address', type: 'text' },
      { name: 'lat', type: 'float8' },
      { name: 'lng', type: 'float8' },
      { name: 'diners_count', type: 'int' },
      { name: 'employees', type: 'int' },
      { name: 'revenue_wan', type: 'float8' },
      { name: 'grade', type: 'text' },
      { name: 'grade_computed', type: 'text' },
      { name: 'grade_basis', type: 'text' },
      { name: 'risk_level', type: 'text' },
      { name: 'credit_risk_class', type: 'text' },
      { name: 'status', type: 'text' },
      { name: 'food_safety_director', type: 'text' },
      { name: 'food_safety_officer', type: 'text' },
      { name: 'contact_name', type: 'text' },
      { name: 'contact_phone', type: 'text' },
      { name: 'insured', type: 'boolean' },
      { name: 'insurance_expiry', type: 'date' },
      { name: 'product_tags', type: 'text', cast: 'text[]' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    w.businesses.map((b) => [
      b.id, b.name, b.credit_code, b.license_no, b.license_expiry, b.type, b.region_id, b.region_path, b.address, b.lat, b.lng,
      b.diners_count, b.employees, b.revenue_wan, b.grade, b.grade_computed, b.grade_basis, b.risk_level, b.credit_risk_class, b.status,
      b.food_safety_director, b.food_safety_officer, b.contact_name, b.contact_phone, b.insured, b.insurance_expiry,
      pgArray(b.product_tags), b.created_at, b.created_at,
    ]),
  );
  // E8: business accounts speak for their business (inserted after it, for the foreign key).
  const owners = w.users.filter((u) => u.business_id);
  if (owners.length) {
    await sql`UPDATE users u SET business_id = m.b FROM unnest(${owners.map((u) => u.id)}::uuid[], ${owners.map((u) => u.business_id!)}::uuid[]) AS m(u, b)
      WHERE u.id = m.u`.execute(trx);
  }
}

async function writeEvents(trx: Tx, e: DemoEvents): Promise<void> {
  const json = (v: unknown) => (v == null ? null : JSON.stringify(v));
  const cols: [string, string, string?][] = [
    ['id', 'uuid'], ['channel', 'text'], ['title', 'text'], ['description', 'text'], ['category_code', 'text'], ['business_id', 'uuid'],
    ['region_id', 'bigint'], ['region_path', 'text'], ['lat', 'float8'], ['lng', 'float8'], ['state', 'text'], ['tier', 'text'],
    ['origin_tier', 'text'], ['holder_region_id', 'bigint'], ['holder_path', 'text'], ['holder_org_id', 'bigint'], ['holder_user_id', 'uuid'],
    ['collector_id', 'uuid'], ['collector_org_id', 'bigint'], ['version', 'int'], ['tier_entered_at', 'timestamptz'], ['deadline', 'timestamptz'],
    ['rectification_deadline', 'timestamptz'], ['rectification_requirement', 'text'], ['result', 'text'], ['feedback', 'text'],
    ['feedback_at', 'timestamptz'], ['reject_reason', 'text'], ['case_no', 'text'], ['case_decision', 'text'], ['penalty', 'text'],
    ['merged_into', 'uuid'], ['tracking_code', 'text'], ['reporter_phone', 'text'], ['reporter_anonymous', 'boolean'], ['rating', 'int'],
    ['rating_comment', 'text'], ['reopen_count', 'int'], ['return_to', 'text', 'jsonb'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ['resolved_at', 'timestamptz'], ['closed_at', 'timestamptz'],
  ];
  // merged_into refers to an earlier event: insert in creation order, merged ones last.
  const ordered = [...e.events.filter((x) => !x.merged_into), ...e.events.filter((x) => x.merged_into)];
  await bulkInsert(
    trx,
    'events',
    cols.map(([name, type, cast]) => ({ name, type, cast })),
    ordered.map((ev) => cols.map(([name]) => (name === 'return_to' ? json(ev.return_to) : (ev as any)[name]))),
    2000,
  );
  await bulkInsert(
    trx,
    'event_history',
    [
      { name: 'event_id', type: 'uuid' },
      { name: 'seq', type: 'int' },
      { name: 'type', type: 'text' },
      { name: 'actor_id', type: 'uuid' },
      { name: 'actor_role', type: 'text' },
      { name: 'from_state', type: 'text' },
      { name: 'to_state', type: 'text' },
      { name: 'from_tier', type: 'text' },
      { name: 'to_tier', type: 'text' },
      { name: 'from_holder', type: 'text', cast: 'jsonb' },
      { name: 'to_holder', type: 'text', cast: 'jsonb' },
      { name: 'note', type: 'text' },
      { name: 'detail', type: 'text', cast: 'jsonb' },
      { name: 'public_note', type: 'text' },
      { name: 'at', type: 'timestamptz' },
    ],
    e.history.map((h) => [
      h.event_id, h.seq, h.type, h.actorId, h.actorRole, h.fromState, h.toState, h.fromTier, h.toTier,
      json(h.fromHolder), json(h.toHolder), h.note, json(h.detail), h.publicNote, h.at,
    ]),
  );
  await bulkInsert(
    trx,
    'notifications',
    [
      { name: 'id', type: 'uuid' },
      { name: 'user_id', type: 'uuid' },
      { name: 'kind', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'body', type: 'text' },
      { name: 'event_id', type: 'uuid' },
      { name: 'link', type: 'text' },
      { name: 'read_at', type: 'timestamptz' },
      { name: 'created_at', type: 'timestamptz' },
    ],
    e.notifications.map((n) => [n.id, n.user_id, n.kind, n.title, n.body, n.event_id, n.link, n.read_at, n.created_at]),
  );
  await bulkInsert(
    trx,
    'event_tier_dwell',
    [
      { name: 'event_id', type: 'uuid' },
      { name: 'tier', type: 'text' },
      { name: 'region_id', type: 'bigint' },
      { name: 'entered_at', type: 'timestamptz' },
      { name: 'left_at', type: 'timestamptz' },
    ],
    e.dwell.map((d) => [d.event_id, d.tier, d.region_id, d.entered_at, d.left_at]),
  );
}

export async function isDemoLoaded(db: Tx): Promise<boolean> {
  const r = await db.selectFrom('settings').select('key').where('key', '=', DEMO_SETTING).executeTakeFirst();
  return !!r;
}

/** Start-up hook (H5): loads the demo world once; later starts find the mark and skip. */
export async function ensureDemoWorld(ctx: AppContext, print: (m: string) => void = console.log): Promise<DemoCounts | undefined> {
  if (await isDemoLoaded(ctx.db)) return undefined;
  // Never mix the demo into a database that already holds a real tree (FOODGRID_DEMO=1 by mistake).
  if (await ctx.db.selectFrom('regions').select('id').limit(1).executeTakeFirst()) {
    print('demo world not loaded: the database already has regions (FOODGRID_DEMO is meant for an empty database)');
    return undefined;
  }
  const started = Date.now();
  const counts = await loadDemoWorld(ctx);
  // fresh planner statistics for the bulk-loaded tables, as autovacuum would gather later
  await sql`ANALYZE`.execute(ctx.db);
  print(
    `demo world loaded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.regions} regions, ${counts.organizations} organisations, ` +
      `${counts.users} users, ${counts.businesses} businesses, ${counts.events} events (password for every demo account: ${DEMO_PASSWORD})`,
  );
  return counts;
}
