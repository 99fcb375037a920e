import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../e2e/helpers/server.js';

/**
 * N2: two real server processes (`src/main.ts`) on one PostgreSQL database. Each appends every
 * job occurrence it runs to a shared probe file (FOODGRID_JOBS_PROBE_FILE); the test then checks
 * that no recurring slot and no one-off job ran twice, and that both processes did work.
 * It needs a PostgreSQL server: CI sets TEST_DATABASE_URL; without it the suite is skipped and
 * its name says so.
 */
const url = process.env.TEST_DATABASE_URL;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function until<T>(what: string | (() => string), fn: () => Promise<T | undefined | false>, limitMs: number): Promise<T> {
  const end = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`gave up waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Child {
  proc: ChildProcess;
  port: number;
  output: string[];
  exit: Promise<number | null>;
}

function startServer(databaseUrl: string, port: number, probe: string, workers = 1): Child {
  const output: string[] = [];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      FOODGRID_DEMO: '0',
      FOODGRID_JOBS: '1',
      FOODGRID_ADMIN_PASSWORD: 'Two-Proc-Admin-9!',
      FOODGRID_LOG_LEVEL: 'warn',
      FOODGRID_JOBS_PROBE_FILE: probe,
      FOODGRID_WORKERS: String(workers),
      FOODGRID_DATA_DIR: path.join(os.tmpdir(), `fg-two-${port}`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => output.push(String(d)));
  proc.stderr!.on('data', (d) => output.push(String(d)));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, port, output, exit };
}

describe.skipIf(!url)(`Two server processes on one PostgreSQL (N2)${url ? '' : ' — SKIPPED: set TEST_DATABASE_URL to run'}`, () => {
  const dbName = `fg_jobs2_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const probe = path.join(os.tmpdir(), `${dbName}.log`);
  let dbUrl = '';
  let children: Child[] = [];
  let client: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(url!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    fs.writeFileSync(probe, '');
    const [p1, p2] = [await freePort(), await freePort()];
    // Started one after the other: first-start bootstrap (admin account) is not what is under
    // test here; the scheduler of both then runs side by side. The second is a cluster of two
    // workers (FOODGRID_WORKERS), so three schedulers share the slots.
    for (const [port, workers] of [
      [p1, 1],
      [p2, 2],
    ]) {
      const c = startServer(dbUrl, port, probe, workers);
      children.push(c);
      await until(
        () => `server on port ${c.port} (output: ${c.output.join('').slice(-2000)})`,
        async () => (await fetch(`http://127.0.0.1:${c.port}/api/health`)).status === 200,
        180_000,
      );
    }
    client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
  }, 240_000);

  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    await client?.end().catch(() => {});
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(probe, { force: true });
  }, 60_000);

  it('When two servers run the scheduler, then each recurring slot and each one-off job runs exactly once, and more than one process takes part (one of them a two-worker cluster)', async () => {
    // One-off jobs, enqueued as another module would.
    for (let n = 0; n < 40; n++) {
      await client.query(`INSERT INTO jobs (name, payload) VALUES ('jobs.probe', $1)`, [JSON.stringify({ n })]);
    }
    const lines = () =>
      fs
        .readFileSync(probe, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '));
    await until(
      'twelve recurring slots and all one-off jobs',
      async () => {
        const l = lines();
        return l.filter((x) => x[0] === 'recurring').length >= 12 && l.filter((x) => x[0] === 'oneoff').length >= 40;
      },
      120_000,
    );

    // The cluster serves on its one port.
    expect((await fetch(`http://127.0.0.1:${children[1].port}/api/health`)).status).toBe(200);
    // Graceful stop: both exit 0 (the cluster once its workers have stopped) and leave nothing running.
    for (const c of children) c.proc.kill('SIGTERM');
    const codes = await Promise.all(children.map((c) => c.exit));
    expect(codes).toEqual([0, 0]);

    const all = lines();
    const recurring = all.filter((x) => x[0] === 'recurring');
    const slots = recurring.map((x) => x[1]);
    const dupSlots = slots.filter((s, i) => slots.indexOf(s) !== i);
    expect(dupSlots).toEqual([]);

    const oneoff = all.filter((x) => x[0] === 'oneoff').map((x) => Number(x[1]));
    expect(oneoff.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));

    // Every slot recorded as claimed ran (one probe line each), and the slots have no holes:
    // the slot is longer than the poll interval, so some process always saw it.
    const runs = await client.query(`SELECT slot, runner, status FROM job_runs WHERE name = 'jobs.probe' ORDER BY slot`);
    expect(runs.rows.map((r) => new Date(r.slot).toISOString()).sort()).toEqual(slots.slice().sort());
    expect(runs.rows.every((r) => r.status === 'done')).toBe(true);
    const times = runs.rows.map((r) => new Date(r.slot).getTime());
    const expected = (times[times.length - 1] - times[0]) / 2000 + 1;
    expect(times.length).toBeGreaterThanOrEqual(Math.floor(expected * 0.9));

    // More than one process did part of the work (the claim is a race each slot; jitter spreads it).
    const runners = new Set(all.map((x) => x[2]));
    expect(runners.size).toBeGreaterThanOrEqual(2);

    // The platform's own recurring jobs ran too, each slot once (the primary key guarantees it;
    // here: nobody left a slot running after the graceful stop).
    const seal = await client.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'running')::int AS running FROM job_runs WHERE name = 'audit.seal'`);
    expect(seal.rows[0].n).toBeGreaterThan(0);
    expect(seal.rows[0].running).toBe(0);
    const pending = await client.query(`SELECT count(*)::int AS n FROM jobs WHERE status <> 'done'`);
    expect(pending.rows[0].n).toBe(0);
  }, 180_000);
});
