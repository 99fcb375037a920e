/**
 * H5/N1: first start with the demo world on the embedded database, and a restart. Spawns the
 * server as `npm start` does (tsx src/main.ts) with a fresh FOODGRID_DATA_DIR and times until
 * `/api/health` answers. Median of 5 of each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freePort, median, processCpu, rootDir, round, writeResult } from './lib.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
/** Checkout to start (default: this tree); e.g. a `git archive HEAD` snapshot while the tree is mid-edit. */
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ?? rootDir;

/** CPU seconds (user + system) the process has used so far: less sensitive than wall time to a busy machine. */
function cpuSecondsOf(pid: number): number {
  const p = processCpu(pid);
  return p ? p.ownMs / 1000 : NaN;
}

async function startOnce(dataDir: string): Promise<{ seconds: number; cpuSeconds: number; demoLine?: string }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_ROOT,
    env: { ...process.env, FOODGRID_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', FOODGRID_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let seconds = NaN;
  let cpuSeconds = NaN;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (r.ok) {
          seconds = (performance.now() - t0) / 1000;
          cpuSeconds = cpuSecondsOf(child.pid!);
          break;
        }
      } catch {
        /* not listening yet */
      }
      if (performance.now() - t0 > 180_000) throw new Error(`no answer from /api/health after 180 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return { seconds, cpuSeconds, demoLine: /demo world loaded in [^\n]*/.exec(out)?.[0] };
}

// An empty DATABASE_URL would fail validation; drop it so the embedded database is used.
delete process.env.DATABASE_URL;

const first: number[] = [];
const restart: number[] = [];
const firstCpu: number[] = [];
const restartCpu: number[] = [];
const demoLines: string[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-bench-start-'));
  try {
    const a = await startOnce(dir);
    first.push(a.seconds);
    firstCpu.push(a.cpuSeconds);
    if (a.demoLine) demoLines.push(a.demoLine);
    const b = await startOnce(dir);
    restart.push(b.seconds);
    restartCpu.push(b.cpuSeconds);
    console.log(
      `run ${i + 1}/${RUNS}: first start ${a.seconds.toFixed(2)} s (cpu ${a.cpuSeconds.toFixed(2)} s), restart ${b.seconds.toFixed(2)} s (cpu ${b.cpuSeconds.toFixed(2)} s) — ${a.demoLine ?? ''}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const file = writeResult('startup', {
  what: 'seconds from spawning `tsx src/main.ts` (embedded PGlite, FOODGRID_DEMO default) until GET /api/health answers 200',
  runs: RUNS,
  serverRoot: SERVER_ROOT === rootDir ? '.' : SERVER_ROOT,
  firstStartSeconds: { median: round(median(first)), all: first.map((x) => round(x)) },
  restartSeconds: { median: round(median(restart)), all: restart.map((x) => round(x)) },
  firstStartCpuSeconds: { median: round(median(firstCpu)), all: firstCpu.map((x) => round(x)) },
  restartCpuSeconds: { median: round(median(restartCpu)), all: restartCpu.map((x) => round(x)) },
  demoLoad: demoLines,
  loadAverageAtEnd: os.loadavg().map((x) => round(x)),
});
console.log(`first start median ${median(first).toFixed(2)} s, restart median ${median(restart).toFixed(2)} s → ${path.relative(rootDir, file)}`);
