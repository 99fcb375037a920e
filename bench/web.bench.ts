/**
 * Web apps: initial JavaScript per app (gzip of the entry chunk and its static imports — what a
 * browser must fetch before the app can run) and time until the console dashboard is
 * interactive in headless chromium on the demo world. Targets (brief): field app < 250 KB,
 * portal < 150 KB, console < 700 KB initial. Writes bench/results/web.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { median, rootDir, round, writeResult } from './lib.js';
import { DEMO_PASSWORD, launchBrowser, signedInContext, startServer } from '../test/e2e/helpers/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_KB: Record<string, number> = { console: 700, mobile: 250, public: 150 };
const APPS = { console: '/', mobile: '/m/', public: '/p/' } as const;

function initialJs(dist: string, app: string) {
  const html = readFileSync(path.join(dist, app, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) files.add(m[1]);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) files.add(m[1]);
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
  const size = (list: Iterable<string>) => {
    let raw = 0;
    let gz = 0;
    for (const f of list) {
      const buf = readFileSync(path.join(dist, f.replace(/^\//, '')));
      raw += buf.length;
      gz += gzipSync(buf, { level: 9 }).length;
    }
    return { raw, gz };
  };
  const js = size(files);
  const st = size(css);
  return {
    files: [...files].map((f) => path.basename(f)),
    jsKB: round(js.raw / 1024, 1),
    jsGzipKB: round(js.gz / 1024, 1),
    cssGzipKB: round(st.gz / 1024, 1),
    targetGzipKB: TARGET_KB[app],
    withinTarget: js.gz / 1024 < TARGET_KB[app],
  };
}

const dist = mkdtempSync(path.join(os.tmpdir(), 'foodgrid-bench-web-'));
const nodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
const t0 = performance.now();
await build({ configFile: path.join(rootDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
const buildSeconds = round((performance.now() - t0) / 1000, 1);
process.env.NODE_ENV = nodeEnv;

const sizes = Object.fromEntries(Object.keys(APPS).map((app) => [app, initialJs(dist, app)]));
console.log('initial JS (gzip KB):', Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, v.jsGzipKB])));

// Dashboard: from navigation start until the figures are on screen and the first chart is drawn.
const server = await startServer({ FOODGRID_WEB_DIST: dist, FOODGRID_DATA_DIR: path.join(dist, 'data') });
const browser = await launchBrowser();
const cold: number[] = [];
const warm: number[] = [];
let events = 0;
try {
  const ready = async (page: import('playwright-core').Page) => {
    await page.goto(`${server.url}/dashboard`);
    const h = await page.waitForFunction(
      () => {
        const v = document.querySelector('[aria-label="事件总数"] .ant-statistic-content')?.textContent ?? '';
        const chart = document.querySelector('[role="img"][aria-label="按状态"][data-ready="1"]');
        return /\d/.test(v) && chart ? { ms: performance.now(), total: v } : null;
      },
      undefined,
      { timeout: 60_000, polling: 'raf' },
    );
    return (await h.jsonValue()) as { ms: number; total: string };
  };
  for (let i = 0; i < RUNS; i++) {
    const { context } = await signedInContext(browser, server.url, 'licheng_staff', DEMO_PASSWORD);
    const page = await context.newPage();
    const c = await ready(page); // empty cache
    cold.push(c.ms);
    events = Number(c.total.replace(/\D/g, ''));
    const w = await ready(page); // cached bundles
    warm.push(w.ms);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(dist, { recursive: true, force: true });
}

const file = writeResult('web', {
  what: 'initial JS per app = gzip (level 9) of the entry chunk + its modulepreload static imports from dist/web/<app>/index.html; dashboard = ms from navigation start until the 事件总数 figure and the first ECharts chart are on screen (licheng_staff, county scope, demo world, headless chromium, same machine as the server)',
  buildSeconds,
  initialJs: sizes,
  dashboardInteractiveMs: {
    user: 'licheng_staff (荔城区 county bureau)',
    eventsInScope: events,
    runs: RUNS,
    coldCache: { median: round(median(cold), 0), all: cold.map((x) => round(x, 0)) },
    warmCache: { median: round(median(warm), 0), all: warm.map((x) => round(x, 0)) },
  },
});
console.log(`wrote ${file}`);
