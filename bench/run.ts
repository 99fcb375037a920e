/**
 * `npm run bench`: runs every `bench/*.bench.ts` in sequence, each in its own process, so one
 * benchmark's memory and open handles never skew the next. Each writes its figures to
 * `bench/results/<name>.json`. `npm run bench -- startup subtree` runs only the files whose name
 * contains one of the words.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { benchDir, resultsDir, rootDir } from './lib.js';

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filters.length || filters.some((w) => f.includes(w)))
  .sort();

if (!files.length) {
  console.error(`no bench/*.bench.ts file matches ${filters.join(', ') || '(none found)'}`);
  process.exit(1);
}

const summary: { file: string; ok: boolean; seconds: number; result?: string }[] = [];
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '');
  console.log(`\n== ${f} ==`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, f)], { cwd: rootDir, stdio: 'inherit', env: process.env });
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const result = path.join(resultsDir, `${name}.json`);
  const ok = r.status === 0;
  summary.push({ file: f, ok, seconds, result: fs.existsSync(result) ? path.relative(rootDir, result) : undefined });
  console.log(`== ${f}: ${ok ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${seconds} s`);
}

console.log('\nbenchmarks:');
for (const s of summary) console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.file.padEnd(32)} ${String(s.seconds).padStart(6)} s  ${s.result ?? ''}`);
process.exit(summary.every((s) => s.ok) ? 0 : 1);
