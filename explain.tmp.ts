import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { eventMetrics } from '/work/main/src/modules/events/queries.js';
import { loadActor } from '/work/main/src/modules/identity/store.js';
const url = 'postgres://postgres@127.0.0.1:5432/fg_bench_intake';
const pool = new pg.Pool({ connectionString: url, max: 1 });
const logged: { sql: string; params: readonly unknown[]; ms: number }[] = [];
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }), log: (e) => { if (e.level === 'query') logged.push({ sql: e.query.sql, params: e.query.parameters, ms: e.queryDurationMillis }); } });
const u = (await pool.query(`SELECT u.id, o.region_id FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.role = 'bureau_staff' AND o.type = 'county_bureau' AND NOT o.is_branch ORDER BY u.username LIMIT 1`)).rows[0];
const actor = await loadActor(db as any, u.id);
const ctx: any = { db, now: () => new Date(), config: {} };
for (let i = 0; i < 3; i++) { logged.length = 0; const t0 = performance.now(); await eventMetrics(ctx, actor!, { regionId: String(u.region_id) } as any); console.log('total', (performance.now() - t0).toFixed(1)); for (const q of logged) console.log('  ', q.ms.toFixed(1), q.sql.replace(/\s+/g, ' ').slice(0, 90)); }
for (const q of logged.filter(q => q.ms > 5)) {
  const r = await pool.query('EXPLAIN (ANALYZE, BUFFERS) ' + q.sql, q.params as any[]);
  console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n')); console.log('----');
}
await pool.end();
