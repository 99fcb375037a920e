import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A free local port for a server under measurement (the browser stories' helper). */
export { adminQuery, freePort } from '../test/e2e/helpers/server.js';

/**
 * Helpers for `bench/*.bench.ts` files. A bench file is a standalone script (run by `bench/run.ts`
 * in its own process, one after another) that measures something and calls `writeResult` once.
 * Benchmarks are not tests: they report figures, they do not pass or fail.
 */
export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const resultsDir = path.join(benchDir, 'results');
export const rootDir = path.resolve(benchDir, '..');

export function writeResult(name: string, data: Record<string, unknown>): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  const body = { name, measuredAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...data };
  fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}

/**
 * The machine's speed at the moment: milliseconds one core takes for a fixed loop (best of three).
 * On a shared virtual machine this moves from run to run (seen: 135–259 ms on one machine within
 * one hour), and every figure of a bench moves with it; results record it so that figures are
 * compared at a similar reference.
 */
export function cpuReferenceMs(): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 100_000_000; i++) x += i % 7;
    if (x < 0) throw new Error('unreachable');
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(best);
}

/**
 * The machine's memory speed at the moment: milliseconds for 2,000,000 dependent reads at random
 * over 128 MB (best of three), each one a cache miss. The loop of `cpuReferenceMs` runs in
 * registers and missed the slow hours of a shared host: intake's CPU per report rose by half
 * (0.83 → 1.3 ms) while that loop stayed within 115–131 ms. The database and the server wait on
 * memory, and this reference waits the same way (three quick intake runs: 0.92, 1.09 and 1.30 ms
 * of CPU per report at 395–447, 429–542 and 530–603 ms here).
 */
export function memoryReferenceMs(): number {
  const n = 32 * 1024 * 1024;
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  // one cycle through every slot (Sattolo), so the reads follow no pattern a prefetcher can learn
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % i;
    const t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let p = 0;
    for (let k = 0; k < 2_000_000; k++) p = next[p];
    if (p < 0) throw new Error('unreachable');
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(best);
}

/** Linux reports process and machine CPU times in ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

/**
 * A process's CPU so far from /proc/<pid>/stat, in ms: its own (utime + stime, all threads) and
 * that of its children that have ended (cutime + cstime, such as autovacuum workers under the
 * postmaster); null once the process is gone.
 */
export function processCpu(pid: string | number): { comm: string; ownMs: number; childrenMs: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // the fields after "(comm) ": state (field 3 of proc(5)) is [0], so utime (field 14) is [11]
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { comm, ownMs: (f[11] + f[12]) * TICK_MS, childrenMs: (f[13] + f[14]) * TICK_MS };
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  /** the server under measurement (all its threads) */
  server: number;
  /** every `postgres` process: the backends, the background writers, the postmaster with its ended children */
  database: number;
  /** this bench process: the load generator (autocannon) or the pg clients of the ceiling */
  bench: number;
  /** the machine: ticks busy, stolen by the hypervisor and in all, over all cores */
  machine: { busy: number; steal: number; total: number };
}

/** CPU used so far (ms) by the server, the database server and this process, and the machine's counters (Linux). */
export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  let database = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const p = processCpu(pid);
    if (p?.comm === 'postgres') database += p.ownMs + p.childrenMs;
  }
  const usage = process.cpuUsage();
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const t = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = t.reduce((a, b) => a + b, 0);
  return {
    server: serverPid ? (processCpu(serverPid)?.ownMs ?? 0) : 0,
    database,
    bench: (usage.user + usage.system) / 1000,
    machine: { busy: total - t[3] - t[4], steal: t[7], total },
  };
}

/**
 * CPU per operation between two snapshots (ms), with how busy the machine was: when it is busy
 * throughout, throughput is what the cores divided by the CPU per operation allow, and
 * `boundPerSecond` says that figure without the load generator's own share.
 */
export function cpuPerOperation(before: CpuSnapshot, after: CpuSnapshot, operations: number) {
  const per = (k: 'server' | 'database' | 'bench') => round((after[k] - before[k]) / Math.max(1, operations), 3);
  const ticks = after.machine.total - before.machine.total || 1;
  const server = per('server');
  const database = per('database');
  return {
    msPerOperation: { server, database, bench: per('bench') },
    machineBusyShare: round((after.machine.busy - before.machine.busy) / ticks, 2),
    stealShare: round((after.machine.steal - before.machine.steal) / ticks, 3),
    boundPerSecond: server + database > 0 ? Math.round((os.cpus().length * 1000) / (server + database)) : null,
  };
}

/** Percentile (nearest rank) of a list of numbers, in the same unit. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

export const median = (values: number[]) => percentile(values, 50);

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Milliseconds since `t0` (from performance.now()). */
export const since = (t0: number) => performance.now() - t0;
