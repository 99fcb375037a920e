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
