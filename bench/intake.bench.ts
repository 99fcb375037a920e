/**
 * E1/N3 intake: POST /api/v1/events (auth, validation, routing, history, audit, outbox in one
 * transaction) under autocannon against a server on PostgreSQL, next to the ceiling: the same
 * writes issued directly through `pg` without HTTP; shorter passes with fewer clients at once
 * (BENCH_INTAKE_LIGHTER, default 8 and 16) show the latency of a lighter load. Then the work queue
 * and county metrics on BENCH_EVENTS (default 1,000,000) events.
 *
 * Each pass records the CPU it cost per report (server, database, load generator; from /proc) and
 * how busy the machine was: with the cores busy throughout, throughput is the cores' time divided
 * by the CPU per report, so `boundPerSecond` is what the server and database could reach with the
 * machine to themselves.
 *
 * BENCH_TRACE=<file> records every answer's time and latency, to see when the slow ones come.
 *
 * Uses a separate database `fg_bench_intake` on BENCH_PG_URL, created fresh and dropped at the
 * end. By default that is the PostgreSQL server on this machine, reached as a server on the same
 * host reaches it: through its Unix socket when there is one, else TCP on 127.0.0.1. The server
 * and the ceiling both use that connection.
 */
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import autocannon from 'autocannon';
import { adminQuery, cpuPerOperation, cpuReferenceMs, cpuSnapshot, freePort, memoryReferenceMs, percentile, rootDir, round, writeResult } from './lib.js';

/**
 * N3: TCP on loopback costs both ends their kernel's TCP work for every round trip: `SELECT 1`
 * with four clients made 30,000–37,000 round trips a second through the socket against
 * 19,000–23,000 over TCP. Intake groups its statements (several reports per statement),
 * so for it the difference is small: about 2 % more reports a second, within the machine's noise
 * (two series of six alternated 10 s passes, the order swapped between them).
 */
const SOCKET_DIR = '/var/run/postgresql';
const BASE =
  process.env.BENCH_PG_URL ??
  (fs.existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`)
    ? `postgres://postgres@localhost/test?host=${encodeURIComponent(SOCKET_DIR)}`
    : 'postgres://postgres@127.0.0.1:5432/test');
const DB = 'fg_bench_intake';
const DURATION = Number(process.env.BENCH_INTAKE_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_INTAKE_CONNECTIONS ?? 50);
/**
 * A pass before the measured one, as a running server would be: each pool connection prepares
 * the intake statements and plans each of them up to six times (five custom plans, then the
 * generic one), which took about 1.5 s of the database's CPU in the first 11 s of a cold pass
 * and 0.7 s in the next 20 (pg_stat_statements); V8 compiles the hot paths meanwhile.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_INTAKE_WARMUP_SECONDS ?? 5);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** Shorter passes with fewer clients at once, after the main one (empty to skip). */
const LIGHTER_CONNECTIONS = (process.env.BENCH_INTAKE_LIGHTER ?? '8,16').split(',').filter(Boolean).map(Number);
const LIGHTER_SECONDS = 10;
const url = (() => {
  const u = new URL(BASE);
  u.pathname = `/${DB}`;
  return u.toString();
})();

const admin = (text: string) => adminQuery(BASE, text);
/**
 * N3: the server runs in a session of its own (`detached`), as a service or a terminal's
 * `npm start` does, not in the load generator's. Linux's scheduler (autogroup, on here:
 * /proc/sys/kernel/sched_autogroup_enabled) shares the CPU out per session first, and PostgreSQL
 * gives every backend a session of its own: in the bench's session the server shared one share
 * with autocannon against a share per busy backend. Five alternated pairs of 15 s passes, own
 * session against the bench's: 1,946/1,516, 1,822/1,405, 1,967/1,852, 1,846/1,724 and 1,484/1,449
 * reports/s (own ahead in all five, by 2–30 %; the machine's speed moved more than that between
 * pairs). BENCH_SERVER_SESSION=shared measures it the old way.
 */
const OWN_SESSION = process.env.BENCH_SERVER_SESSION !== 'shared';

async function startServer(port: number): Promise<ChildProcess> {
  // as `npm start` runs it (package.json): a 64 MB young generation (N3: ~9% less server CPU per report)
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'src/main.ts'], {
    cwd: rootDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      FOODGRID_DEMO: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      FOODGRID_LOG_LEVEL: 'warn',
      FOODGRID_DB_POOL: process.env.BENCH_POOL ?? '20',
      FOODGRID_WORKERS: process.env.BENCH_WORKERS ?? '1',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: OWN_SESSION,
  });
  // in a session of its own it would outlive a bench that dies on an error
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill();
  throw new Error('server did not start');
}

async function login(port: number, username: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'Demo@2026' }),
  });
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as any).token;
}

function cannon(opts: any): Promise<any> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err: any, res: any) => (err ? reject(err) : resolve(res)));
    // BENCH_TRACE=<file>: each answer's end time and latency (ms), one pass after another
    // separated by '-', to line slow answers up with job_runs (which job ran when)
    if (process.env.BENCH_TRACE) {
      const out: string[] = [];
      inst.on('response', (_c: any, _s: any, _b: any, rt: number) => out.push(`${Date.now()} ${rt.toFixed(1)}`));
      inst.on('done', () => fs.appendFileSync(process.env.BENCH_TRACE!, out.join('\n') + '\n-\n'));
    }
  });
}

/**
 * The ceiling: what create-event writes for a self-handled grid report, straight through pg. No
 * outbox or inbox row: the collector holds the report, so nobody else is notified, and intake
 * writes none for it either (measured: no outbox row during the HTTP run).
 */
async function ceiling(pool: pg.Pool, sample: { userId: string; businessId: string; regionId: number; regionPath: string }) {
  const latencies: number[] = [];
  let done = 0;
  const until = Date.now() + DURATION * 1000;
  const worker = async () => {
    const c = await pool.connect();
    try {
      while (Date.now() < until) {
        const t0 = performance.now();
        const id = randomUUID();
        await c.query('BEGIN');
        await c.query('SELECT id, region_id, region_path FROM businesses WHERE id = $1', [sample.businessId]);
        await c.query(
          `INSERT INTO events (id, channel, title, description, business_id, region_id, region_path, state, tier, origin_tier,
             holder_region_id, holder_path, holder_user_id, collector_id, deadline)
           VALUES ($1,'grid_patrol','压测','后厨卫生差',$2,$3,$4,'open','grid','grid',$3,$4,$5,$5, now() + interval '2 days')`,
          [id, sample.businessId, sample.regionId, sample.regionPath, sample.userId],
        );
        await c.query(`INSERT INTO event_history (event_id, seq, type, actor_id, to_state, to_tier, note) VALUES ($1, 1, 'create', $2, 'open', 'grid', '压测')`, [id, sample.userId]);
        await c.query(`INSERT INTO event_tier_dwell (event_id, tier, region_id, entered_at) VALUES ($1, 'grid', $2, now())`, [id, sample.regionId]);
        await c.query(`INSERT INTO audit_log (actor_id, action, entity, entity_id, ip) VALUES ($1, 'event.create', 'event', $2, '127.0.0.1')`, [sample.userId, id]);
        await c.query('COMMIT');
        latencies.push(performance.now() - t0);
        done++;
      }
    } finally {
      c.release();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Number(process.env.BENCH_CEILING_CLIENTS ?? 16) }, worker));
  const secs = (performance.now() - t0) / 1000;
  return { txPerSecond: round(done / secs, 0), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), transactions: done };
}

/** Bulk synthetic events over the demo world's units: realistic spread of states, tiers, channels, dates. */
async function fillEvents(pool: pg.Pool, n: number) {
  const c = await pool.connect();
  try {
    const have = Number((await c.query('SELECT count(*) FROM events')).rows[0].count);
    const missing = n - have;
    if (missing <= 0) return null;
    await c.query(`CREATE TEMP TABLE u AS SELECT r.id, r.path, row_number() OVER () AS rn FROM regions r WHERE level = 'unit'`);
    await c.query(`CREATE TEMP TABLE st AS SELECT o.id AS org_id, r.path, r.id AS region_id FROM organizations o JOIN regions r ON r.id = o.region_id WHERE o.type = 'station'`);
    const units = Number((await c.query('SELECT count(*) FROM u')).rows[0].count);
    await c.query('ALTER TABLE events DISABLE TRIGGER event_stats_events_ins');
    await c.query('ALTER TABLE event_tier_dwell DISABLE TRIGGER event_stats_stays_ins');
    const batch = 100_000;
    for (let done = 0; done < missing; done += batch) {
      const k = Math.min(batch, missing - done);
      await c.query(
        `INSERT INTO events (id, channel, title, description, region_id, region_path, state, tier, origin_tier,
            holder_region_id, holder_path, holder_org_id, version, tier_entered_at, deadline, reminded_at, created_at, updated_at, closed_at, result, feedback)
         SELECT gen_random_uuid(),
                (ARRAY['grid_patrol','grid_patrol','grid_patrol','department_patrol','public_report','supervision'])[1 + (g % 6)],
                '批量事件', '基准测试数据', u.id, u.path,
                s.state, s.tier, 'grid',
                st.region_id, st.path, st.org_id, 3,
                ts, ts + interval '5 days', ts + interval '4 days', ts, ts,
                CASE WHEN s.state = 'closed' THEN ts + interval '2 days' END,
                CASE WHEN s.state IN ('closed','resolved') THEN '已处理' END,
                CASE WHEN s.state = 'closed' THEN '已反馈' END
           FROM generate_series(1, $1::int) g
           JOIN u ON u.rn = 1 + (g * 7919) % $2::int
           JOIN LATERAL (SELECT * FROM st WHERE u.path LIKE st.path || '%' LIMIT 1) st ON true
           CROSS JOIN LATERAL (SELECT now() - ((g % 365) || ' days')::interval - ((g % 1440) || ' minutes')::interval AS ts) t
           CROSS JOIN LATERAL (SELECT (ARRAY['closed','closed','closed','closed','closed','in_progress','open','rectifying','resolved','rejected'])[1 + (g % 10)] AS state,
                                      (ARRAY['grid','grid','station','station','village','county','grid_leader'])[1 + (g % 7)] AS tier) s`,
        [k, units],
      );
      // Steady state: the deadline sweep (E10) flagged and notified these long ago; flag each batch
      // at once, or the sweep would work through them (a notice each) during the measurements.
      await c.query(`INSERT INTO event_deadline_flags (event_id, deadline, tier, overdue_at)
        SELECT id, deadline, tier, deadline FROM events
         WHERE title = '批量事件' AND state IN ('open','in_progress') AND deadline < now() ON CONFLICT DO NOTHING`);
      console.log(`  events: ${have + done + k}/${n}`);
    }
    // Each event's stay at its tier (E10/E14 dwell), as intake and the actions record it.
    await c.query(`INSERT INTO event_tier_dwell (event_id, tier, region_id, entered_at, left_at)
      SELECT id, tier, holder_region_id, tier_entered_at, closed_at FROM events WHERE title = '批量事件' ON CONFLICT DO NOTHING`);
    // Autovacuum keeps the visibility map of a long-lived table, so index-only scans work.
    await c.query('VACUUM (ANALYZE) events');
    await c.query('VACUUM (ANALYZE) event_deadline_flags');
    await c.query('VACUUM (ANALYZE) event_tier_dwell');
    // E14: as the demo loader does with its bulk load, the rollup is recomputed once, set-based,
    // after the fill rather than through its insert triggers (timed).
    await c.query('ALTER TABLE events ENABLE TRIGGER event_stats_events_ins');
    await c.query('ALTER TABLE event_tier_dwell ENABLE TRIGGER event_stats_stays_ins');
    const t0 = performance.now();
    await c.query('SELECT event_stats_rebuild()');
    await c.query('VACUUM (ANALYZE) event_stats');
    return { rollupRebuildSeconds: round((performance.now() - t0) / 1000, 1) };
  } finally {
    c.release();
  }
}

async function timeGets(port: number, token: string, path: string, n: number) {
  const lat: number[] = [];
  for (let i = 0; i < 5; i++) await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    lat.push(performance.now() - t0);
  }
  return { p50Ms: round(percentile(lat, 50)), p99Ms: round(percentile(lat, 99)), requests: n };
}

async function main() {
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  const port = await freePort();
  let server: ChildProcess | undefined;
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on('error', () => {});
  try {
    server = await startServer(port);
    // Grid members and the businesses of their grids: grid_patrol routes to the collector itself.
    // Reports spread over every business of the demo county, as a county's intake is; a hundred
    // businesses taking ninety reports each in 20 s would make every report a hotspot case (E12).
    const pairs = (
      await pool.query(`SELECT u.id AS user_id, u.username, b.id AS business_id, b.region_id, b.region_path
          FROM users u JOIN regions g ON g.id = u.region_id JOIN businesses b ON b.region_path LIKE g.path || '%'
         WHERE u.role = 'grid_member' AND NOT u.disabled ORDER BY md5(b.id::text || u.id::text)`)
    ).rows;
    const sampleRow = pairs[0];
    // Sessions straight into the database: signing in 100 people would meet the login rate limit.
    const tokens = new Map<string, string>();
    for (const p of pairs) {
      if (tokens.has(p.user_id)) continue;
      const token = randomBytes(32).toString('base64url');
      await pool.query(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
        createHash('sha256').update(token).digest('hex'),
        p.user_id,
      ]);
      tokens.set(p.user_id, token);
    }
    // Each phase starts without a checkpoint left pending by the writes of the phase before it.
    const checkpoint = () => pool.query('CHECKPOINT');
    await checkpoint();
    // the machine's speed around the HTTP and pg phases (see cpuReferenceMs, memoryReferenceMs)
    const referenceBefore = cpuReferenceMs();
    const memoryBefore = memoryReferenceMs();
    let seq = 0;
    // One autocannon pass: each request a new report by one of the grid members on a business
    // of their grid, with its own client id.
    const pass = async (connections: number, duration: number) => {
      const cpuBefore = cpuSnapshot(server?.pid);
      const http = await cannon({
        url: `http://127.0.0.1:${port}/api/v1/events`,
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            setupRequest: (req: any) => {
              const p = pairs[seq++ % pairs.length];
              return {
                ...req,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(p.user_id)}` },
                body: JSON.stringify({
                  channel: 'grid_patrol',
                  title: '后厨卫生差',
                  description: '操作间地面积水，垃圾未加盖',
                  businessId: p.business_id,
                  clientId: `bench-${process.pid}-${seq}`,
                }),
              };
            },
          },
        ],
      });
      return {
        requestsPerSecond: round(http.requests.average, 0),
        p50Ms: http.latency.p50,
        p99Ms: http.latency.p99,
        non2xx: http.non2xx,
        errors: http.errors,
        total: http.requests.total,
        connections,
        seconds: duration,
        // CPU per report of the server, the database and the load generator (this process)
        cpu: cpuPerOperation(cpuBefore, cpuSnapshot(server?.pid), http.requests.total),
      };
    };
    const warmup = WARMUP_SECONDS > 0 ? await pass(CONNECTIONS, WARMUP_SECONDS) : null;
    if (warmup) {
      console.log('intake warm-up (not the measurement)', warmup);
      await checkpoint();
    }
    const intake = {
      ...(await pass(CONNECTIONS, DURATION)),
      reporters: tokens.size,
      businesses: new Set(pairs.map((p) => p.business_id)).size,
    };
    console.log('intake over HTTP', intake);
    // Latency is queueing at that load (connections ÷ throughput): the same intake with fewer
    // clients at once shows the latency a lighter load gets on this machine.
    const lighterLoad = [];
    for (const connections of LIGHTER_CONNECTIONS) {
      await checkpoint();
      const r = await pass(connections, LIGHTER_SECONDS);
      console.log(`intake with ${connections} connections`, r);
      lighterLoad.push(r);
    }
    await checkpoint();
    const cpuBeforeCeiling = cpuSnapshot(server?.pid);
    const ceilingRun = await ceiling(pool, { userId: sampleRow.user_id, businessId: sampleRow.business_id, regionId: sampleRow.region_id, regionPath: sampleRow.region_path });
    const direct = { ...ceilingRun, cpu: cpuPerOperation(cpuBeforeCeiling, cpuSnapshot(server?.pid), ceilingRun.transactions) };
    console.log('ceiling through pg', direct);
    const cpuReference = { beforeIntakeMs: referenceBefore, afterCeilingMs: cpuReferenceMs() };
    const memoryReference = { beforeIntakeMs: memoryBefore, afterCeilingMs: memoryReferenceMs() };
    console.log('machine reference (ms for a fixed loop on one core; for random reads from memory)', cpuReference, memoryReference);

    const fill = await fillEvents(pool, EVENTS);
    if (fill) console.log('rollup rebuilt after the fill', fill);
    const bureauUser = (
      await pool.query(`SELECT u.username, o.region_id FROM users u JOIN organizations o ON o.id = u.organization_id
         WHERE u.role = 'bureau_staff' AND o.type = 'county_bureau' AND NOT o.is_branch ORDER BY u.username LIMIT 1`)
    ).rows[0];
    const county = { id: bureauUser.region_id };
    const stationUser = (
      await pool.query(`SELECT u.username FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.role = 'station_staff' ORDER BY u.username LIMIT 1`)
    ).rows[0];
    const bureauToken = await login(port, bureauUser.username);
    const stationToken = await login(port, stationUser.username);
    const total = Number((await pool.query('SELECT count(*) FROM events')).rows[0].count);
    const queueStation = await timeGets(port, stationToken, '/api/v1/events/queue?limit=50', 200);
    const queueCounty = await timeGets(port, bureauToken, '/api/v1/events/queue?limit=50', 200);
    const metricsCounty = await timeGets(port, bureauToken, `/api/v1/metrics/events?regionId=${county.id}`, 100);
    const listCounty = await timeGets(port, bureauToken, `/api/v1/events?regionId=${county.id}&limit=50`, 200);
    // the county's league table of townships and its whole dashboard (figures, league table, 12 weeks, hotspots)
    const byRegionCounty = await timeGets(port, bureauToken, `/api/v1/metrics/events/by-region?regionId=${county.id}`, 100);
    const dashboardCounty = await timeGets(port, bureauToken, `/api/v1/metrics/events?regionId=${county.id}&include=dashboard`, 100);
    const file = writeResult('intake', {
      what: 'POST /api/v1/events under autocannon vs the same writes through pg; queue/metrics/list p50/p99 over HTTP on many events',
      database: url.replace(/\/\/[^@]*@/, '//…@'),
      connection: new URL(url).searchParams.get('host')?.startsWith('/') ? 'unix socket' : 'tcp',
      serverSession: OWN_SESSION ? 'own (detached, as a service)' : "the bench's",
      intakeWarmup: warmup,
      intake,
      ceiling: direct,
      intakeShareOfCeiling: round(intake.requestsPerSecond / direct.txPerSecond, 2),
      intakeLighterLoad: lighterLoad,
      cpuReference,
      memoryReference,

      targets: { eventsPerSecond: 2000, p99Ms: 50, shareOfCeiling: 0.5, queueMetricsP99Ms: 100 },
      eventsInDatabase: total,
      fill,
      workQueueStation: queueStation,
      workQueueCountyBureau: queueCounty,
      metricsCounty,
      eventListCounty: listCounty,
      metricsByRegionCounty: byRegionCounty,
      dashboardCounty,
    });
    console.log(`written ${file}`);
  } finally {
    if (server && server.exitCode === null) {
      // wait for the server to close its pool before the database is dropped under it
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
    await pool.end();
    if (!process.env.BENCH_KEEP_DB) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

await main();
