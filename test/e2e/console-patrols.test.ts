import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import {
  apiLogin,
  DEMO_PASSWORD,
  diagnosed,
  expectVisible,
  launchBrowser,
  popupSettled,
  screenshot,
  signedInContext,
  startServer,
  watchErrors,
  watchTraffic,
  type ApiSession,
  type Browser,
  type Page,
  type RunningServer,
} from './helpers/index.js';

/**
 * P1–P3 in the console. A grid member patrols the businesses of one grid of 镇海街道 (one line
 * fails and is reported as an event), the township's market-supervision station makes sink-down
 * checks elsewhere (P3), all through the API. The station's staff member then opens 巡查 →
 * 巡查覆盖率 and sees the month's figures of the coverage API for their township, per township and
 * grid, and the two shortfall lists with the workers concerned; downloads the Excel export and
 * finds the API's rows in it; opens the patrol list (filters, paging) and one patrol's checklist
 * with the link to the raised event.
 *
 * The demo world's three months of grid patrols are there too; the patrols this story checks by
 * name are recorded here, on the demo world's businesses, grids, workers and hazard reports.
 */
const STATION = 'station_350304001_1'; // 荔城区镇海市场监督管理所 (镇海街道, 350304001)
const COUNTY = 'licheng_staff'; // 荔城区市场监督管理局
const tag = Date.now().toString(36);
const FAILED_NOTE = `后厨地面油污、垃圾桶未加盖-${tag}`;
const SINK_NOTE = `四不两直检查-${tag}`;
/** Sink-down patrols by the station: more than one list page (50) so paging shows. */
const STATION_PATROLS = 56;

let server: RunningServer;
let browser: Browser;
let station: ApiSession;
let grid: { gridId: string; gridName: string; total: number; businesses: Array<{ id: string; name: string }> };
let member: { username: string; displayName: string };
let failed: any;
let sinkDown: any;

/** The China (UTC+8) month, as the console's default and the API's. */
const chinaMonth = (offsetMonths = 0) => {
  const d = new Date(Date.now() + 8 * 3600_000);
  d.setUTCDate(15);
  d.setUTCMonth(d.getUTCMonth() + offsetMonths);
  return d.toISOString().slice(0, 7);
};
const pct = (v: number) => `${v}%`;

async function post(s: ApiSession, url: string, body: unknown) {
  const r = await fetch(`${server.url}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as any;
  expect(r.status, JSON.stringify(json)).toBe(201);
  return json;
}

/**
 * Opens a page of the 巡查 menu group: unfolds the group unless its entry already shows, then
 * clicks the entry. A click that lands while the group is still unfolding is made once more.
 */
async function openFromMenu(page: Page, entry: string, url: RegExp) {
  const link = page.getByRole('menu').getByRole('link', { name: entry });
  for (let attempt = 1; ; attempt++) {
    if (!(await link.isVisible())) await page.getByRole('menu').getByText('巡查', { exact: true }).click();
    await link.click();
    try {
      await page.waitForURL(url, { timeout: 10_000 });
      return;
    } catch (e) {
      if (attempt === 2) throw e;
    }
  }
}

const ALL_PASS = ['license', 'people', 'goods', 'invoices', 'hygiene'].map((aspect) => ({ aspect, passed: true }));

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  station = await apiLogin(server.url, STATION, DEMO_PASSWORD);
  const before = (await station.get(`/api/v1/patrols/coverage?month=${chinaMonth()}`)).body;
  // A grid of the township with a few businesses, some not patrolled yet this month, and a grid member.
  const candidates = before.shortfalls.coverage.filter(
    (s: any) => s.businesses >= 2 && s.businesses <= 8 && s.patrolled < s.businesses && s.workers.some((w: any) => w.role === 'grid_member'),
  );
  expect(candidates.length, 'the demo township has grids with unpatrolled businesses').toBeGreaterThan(1);
  const g = candidates[0];
  grid = { gridId: g.gridId, gridName: g.gridName, total: g.businesses, businesses: g.unpatrolledBusinesses };
  const users = (await station.get(`/api/v1/users?role=grid_member&regionId=${g.gridId}&limit=20`)).body.items;
  const m = users.find((u: any) => String(u.regionId) === g.gridId);
  expect(m, `grid member of ${g.gridName}`).toBeTruthy();
  member = { username: m.username, displayName: m.displayName };

  // P1: the grid member patrols every business of the grid not patrolled yet; the first fails on hygiene and is reported.
  const gm = await apiLogin(server.url, member.username, DEMO_PASSWORD);
  failed = await post(gm, '/api/v1/patrols', {
    businessId: grid.businesses[0].id,
    items: [...ALL_PASS.slice(0, 4), { aspect: 'hygiene', passed: false, note: FAILED_NOTE }],
    raiseEvent: true,
  });
  expect(failed.eventIds).toHaveLength(1);
  for (const b of grid.businesses.slice(1)) await post(gm, '/api/v1/patrols', { businessId: b.id, items: ALL_PASS });

  // P3: the station's unannounced checks on the businesses of the other short grids.
  const others = candidates.slice(1).flatMap((s: any) => s.unpatrolledBusinesses) as Array<{ id: string }>;
  expect(others.length).toBeGreaterThan(0);
  for (let i = 0; i < STATION_PATROLS; i++) {
    const p = await post(station, '/api/v1/patrols', {
      businessId: others[i % others.length].id,
      type: i === STATION_PATROLS - 1 ? 'unannounced' : 'double_random',
      items: ALL_PASS,
      note: i === STATION_PATROLS - 1 ? SINK_NOTE : null,
    });
    if (i === STATION_PATROLS - 1) sinkDown = p;
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function stat(page: Page, title: string) {
  const box = page.getByRole('region', { name: title, exact: true });
  await box.waitFor();
  return ((await box.locator('.ant-statistic-content').textContent()) ?? '').replace(/,/g, '').trim();
}

const TOTALS = ['覆盖率', '经营主体', '已巡查', '隐患上报', '网格数', '覆盖未达标网格', '隐患上报不足网格'];

/** The seven figures at the top of the coverage page equal the API's totals (waiting for a refetch). */
async function expectTotals(page: Page, c: any) {
  const t = c.totals;
  const want = [pct(t.coverage), t.businesses, t.patrolled, t.hazardReports, t.grids, t.gridsCoverageShort, t.gridsHazardsShort].map(String);
  await expect
    .poll(async () => {
      const got: string[] = [];
      for (const title of TOTALS) got.push(await stat(page, title));
      return got;
    }, { timeout: 30_000 })
    .toEqual(want);
}

/** The text of each cell of each body row (antd's hidden measuring row left out). */
async function rows(page: Page, table: string, rowAttr: string) {
  const t = page.getByRole('table', { name: table });
  return t.locator(`tbody tr[${rowAttr}]`).evaluateAll((trs, attr) =>
    trs.map((tr) => ({ id: tr.getAttribute(attr as string), cells: [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()) })),
    rowAttr,
  );
}

const gridCells = (g: any) => [g.gridName, String(g.businesses), String(g.patrolled), pct(g.coverage), String(g.hazardReports)];

describe('Patrols in the console (P1–P3)', () => {
  it("When a station user opens 巡查覆盖率 from the menu, then the page shows the coverage API's figures of their township for this month, per township and grid, with both shortfall lists", async () => {
    const { context } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/queue`);
    await openFromMenu(page, '巡查覆盖率', /\/patrols\/coverage$/);
    await expectVisible(page, page.getByRole('region', { name: '覆盖率', exact: true }), 'coverage-totals');

    const c = (await station.get(`/api/v1/patrols/coverage?month=${chinaMonth()}`)).body;
    expect(c.month).toBe(chinaMonth());
    // Real figures: the demo township's businesses and grids, the patrols recorded above.
    expect(c.totals.businesses).toBeGreaterThan(grid.businesses.length);
    expect(c.totals.patrolled).toBeGreaterThanOrEqual(grid.businesses.length + 1);
    expect(c.totals.coverage).toBeGreaterThan(0);
    expect(c.totals.coverage).toBeLessThan(100);
    await expectTotals(page, c);

    // Per township: 镇海街道's row.
    const towns = await rows(page, '按乡镇（街道）', 'data-row-key');
    expect(towns.map((r) => r.id)).toEqual(c.townships.map((t: any) => t.townshipId));
    expect(towns[0].cells).toEqual([
      c.townships[0].name,
      String(c.townships[0].grids),
      String(c.townships[0].businesses),
      String(c.townships[0].patrolled),
      pct(c.townships[0].coverage),
      String(c.townships[0].hazardReports),
      String(c.townships[0].gridsCoverageShort),
      String(c.townships[0].gridsHazardsShort),
    ]);

    // Per grid: the first page is the API's first 20 grids, figure for figure.
    const first = await rows(page, '按网格', 'data-grid-id');
    expect(first.length).toBe(Math.min(20, c.grids.length));
    expect(first.map((r) => r.id)).toEqual(c.grids.slice(0, first.length).map((g: any) => g.gridId));
    expect(first.map((r) => r.cells.slice(0, 5))).toEqual(c.grids.slice(0, first.length).map(gridCells));

    // The shortfall lists: as many grids as the API names, in its order, with the workers concerned.
    const covList = page.getByRole('region', { name: '覆盖率未达标网格列表' });
    const hazList = page.getByRole('region', { name: '隐患上报不足网格列表' });
    await expectVisible(page, page.getByText(`覆盖率未达 100% 的网格（${c.shortfalls.coverage.length}）`), 'coverage-shortfall-title');
    await expectVisible(page, page.getByText(`隐患上报不足 2 条的网格（${c.shortfalls.hazards.length}）`), 'hazard-shortfall-title');
    expect(c.shortfalls.coverage.length).toBeGreaterThan(0);
    expect(c.shortfalls.hazards.length).toBeGreaterThan(0);
    const covIds = await covList.locator('li[data-grid-id]').evaluateAll((li) => li.map((x) => x.getAttribute('data-grid-id')));
    expect(covIds).toEqual(c.shortfalls.coverage.slice(0, 10).map((s: any) => s.gridId));
    const hazIds = await hazList.locator('li[data-grid-id]').evaluateAll((li) => li.map((x) => x.getAttribute('data-grid-id')));
    expect(hazIds).toEqual(c.shortfalls.hazards.slice(0, 10).map((s: any) => s.gridId));
    const s0 = c.shortfalls.coverage[0];
    const item0 = covList.locator(`li[data-grid-id="${s0.gridId}"]`);
    expect(await item0.textContent()).toContain(`已巡查 ${s0.patrolled}/${s0.businesses} 家`);
    expect(s0.workers.length).toBeGreaterThan(0);
    expect(await item0.locator('[data-user-id]').evaluateAll((x) => x.map((e) => e.getAttribute('data-user-id')))).toEqual(s0.workers.map((w: any) => w.userId));
    for (const w of s0.workers) expect(await item0.textContent()).toContain(w.displayName);
    for (const b of s0.unpatrolledBusinesses.slice(0, 8)) await expectVisible(page, item0.getByRole('link', { name: b.name }), 'coverage-shortfall-business');

    await screenshot(page, 'console-patrol-coverage');

    // The grid patrolled above: fully covered now, so off the coverage list; its hazard report counts.
    const mine = c.grids.find((g: any) => g.gridId === grid.gridId);
    expect(mine).toMatchObject({ businesses: grid.total, patrolled: grid.total, coverage: 100, coverageShort: false });
    expect(mine.hazardReports).toBeGreaterThanOrEqual(1);
    expect(c.shortfalls.coverage.some((s: any) => s.gridId === grid.gridId)).toBe(false);
    await page.getByPlaceholder('网格名称').fill(grid.gridName);
    await page.getByPlaceholder('网格名称').press('Enter');
    await page.waitForURL(/grid=/);
    const expected = c.grids.filter((g: any) => g.gridName.includes(grid.gridName));
    await expect.poll(async () => (await rows(page, '按网格', 'data-grid-id')).map((r) => r.id), { timeout: 30_000 }).toEqual(expected.map((g: any) => g.gridId));
    const found = await rows(page, '按网格', 'data-grid-id');
    expect(found.find((r) => r.id === grid.gridId)?.cells.slice(0, 5)).toEqual(gridCells(mine));
    const covNamed = c.shortfalls.coverage.filter((s: any) => s.gridName.includes(grid.gridName)).length;
    await expectVisible(page, page.getByText(`覆盖率未达 100% 的网格（${covNamed}/${c.shortfalls.coverage.length}）`), 'coverage-shortfall-filtered');
    expect(await covList.locator(`li[data-grid-id="${grid.gridId}"]`).count()).toBe(0);
    const hz = c.shortfalls.hazards.find((s: any) => s.gridId === grid.gridId);
    if (hz) {
      const li = hazList.locator(`li[data-grid-id="${grid.gridId}"]`);
      await expectVisible(page, li, 'hazard-shortfall-own-grid');
      expect(await li.textContent()).toContain(`隐患上报 ${hz.hazardReports} 条`);
      const w = hz.workers.find((x: any) => x.displayName === member.displayName);
      expect(w.hazardReports).toBeGreaterThanOrEqual(1);
      expect(await li.textContent()).toContain(`${member.displayName}（网格员） 上报 ${w.hazardReports} 条`);
    } else {
      expect(mine.hazardsShort).toBe(false);
      expect(await hazList.locator(`li[data-grid-id="${grid.gridId}"]`).count()).toBe(0);
    }
    await screenshot(page, 'console-patrol-coverage-grid');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('When the user downloads 导出 Excel, then the spreadsheet holds one row per grid of the coverage API for the same month and region', async () => {
    const { context } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/patrols/coverage`);
    const link = page.getByRole('link', { name: '导出 Excel' });
    await expectVisible(page, link, 'coverage-export');
    expect(await link.getAttribute('href')).toBe(`/api/v1/patrols/coverage/export.xlsx?month=${chinaMonth()}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`巡查覆盖率_${chinaMonth()}.xlsx`);
    const file = await download.path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as any);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe(`${chinaMonth()}巡查覆盖率`);
    const table: unknown[][] = [];
    ws.eachRow((row) => table.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : v))));
    expect(table[0]).toEqual(['网格', '经营主体数', '已巡查', '覆盖率(%)', '隐患上报数', '覆盖未达100%', '隐患上报不足2条', '未巡查主体', '网格ID']);

    const c = (await station.get(`/api/v1/patrols/coverage?month=${chinaMonth()}`)).body;
    const body = table.slice(1);
    expect(body.length).toBe(c.grids.length);
    const unpatrolled = new Map(c.shortfalls.coverage.map((s: any) => [s.gridId, s.unpatrolledBusinesses.map((b: any) => b.name).join('、')]));
    expect(body).toEqual(
      c.grids.map((g: any) => [
        g.gridName,
        g.businesses,
        g.patrolled,
        g.coverage,
        g.hazardReports,
        g.coverageShort ? '是' : '',
        g.hazardsShort ? '是' : '',
        unpatrolled.get(g.gridId) ?? '',
        g.gridId,
      ]),
    );
    // The grid patrolled above is in it as fully covered.
    expect(body.find((r) => r[8] === grid.gridId)?.slice(1, 4)).toEqual([grid.total, grid.total, 100]);
    await context.close();
  });

  it("When the user picks last month, then the figures and the export link are that month's", async () => {
    const { context } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const last = chinaMonth(-1);
    const traffic = watchTraffic(page, server.url);
    await page.goto(`${server.url}/patrols/coverage`);
    await expectVisible(page, page.getByRole('region', { name: '覆盖率', exact: true }), 'coverage-this-month');
    // The month picker: open it, go to last month's cell in the open panel.
    await page.getByRole('textbox', { name: '月份' }).click();
    const panel = page.locator('.ant-picker-dropdown:not(.ant-picker-dropdown-hidden)');
    await expectVisible(page, panel, 'coverage-month-panel');
    await popupSettled(panel);
    if (last.slice(0, 4) !== chinaMonth().slice(0, 4)) await panel.locator('.ant-picker-header-prev-btn').click();
    await panel.locator(`.ant-picker-cell[title="${last}"]:not(.ant-picker-cell-disabled)`).click();
    await page.waitForURL(new RegExp(`month=${last}`)).catch(async (e) => {
      await screenshot(page, 'FAILED-coverage-month').catch(() => undefined);
      const picked = await page.getByRole('textbox', { name: '月份' }).inputValue().catch(() => '?');
      throw diagnosed(e, { URL: page.url(), 'month box': picked, 'panel open': String(await panel.isVisible()) }, traffic, server.output());
    });
    const c = (await station.get(`/api/v1/patrols/coverage?month=${last}`)).body;
    expect(c.month).toBe(last);
    await expectVisible(page, page.getByText(new RegExp(`${last} · 目标`)), 'coverage-last-month');
    expect(await page.getByRole('textbox', { name: '月份' }).inputValue()).toBe(last);
    await expectTotals(page, c);
    expect(await page.getByRole('link', { name: '导出 Excel' }).getAttribute('href')).toBe(`/api/v1/patrols/coverage/export.xlsx?month=${last}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("When a county bureau user opens 巡查覆盖率, then every township's row is the API's, and opening a township shows that township's figures, workers and export", async () => {
    const { context, session } = await signedInContext(browser, server.url, COUNTY, DEMO_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/patrols/coverage`);
    await expectVisible(page, page.getByRole('region', { name: '覆盖率', exact: true }), 'coverage-county');
    const county = (await session.get(`/api/v1/patrols/coverage?month=${chinaMonth()}`)).body;
    expect(county.townships.length).toBeGreaterThan(1);
    await expectTotals(page, county);
    const towns = await rows(page, '按乡镇（街道）', 'data-row-key');
    expect(towns.map((r) => r.cells)).toEqual(
      county.townships.map((t: any) => [t.name, t.grids, t.businesses, t.patrolled, pct(t.coverage), t.hazardReports, t.gridsCoverageShort, t.gridsHazardsShort].map(String)),
    );
    // A county has too many grids for per-worker rows: the page says so instead of listing none.
    expect(county.workersIncluded).toBe(false);
    await expectVisible(page, page.getByText(`本区域有 ${county.totals.grids} 个网格，未列出相关人员`, { exact: false }), 'coverage-county-no-workers');

    // Drill down into 镇海街道 (the township patrolled above).
    const zhenhai = county.townships.find((t: any) => t.name === '镇海街道');
    await page.getByRole('table', { name: '按乡镇（街道）' }).getByText('镇海街道', { exact: true }).click();
    await page.waitForURL(new RegExp(`regionId=${zhenhai.townshipId}`));
    const town = (await session.get(`/api/v1/patrols/coverage?month=${chinaMonth()}&regionId=${zhenhai.townshipId}`)).body;
    expect(town.totals.patrolled).toBe(zhenhai.patrolled);
    await expectTotals(page, town);
    expect(town.workersIncluded).toBe(true);
    const s0 = town.shortfalls.coverage[0];
    const item0 = page.getByRole('region', { name: '覆盖率未达标网格列表' }).locator(`li[data-grid-id="${s0.gridId}"]`);
    await expectVisible(page, item0, 'coverage-township-shortfall');
    expect(await item0.locator('[data-user-id]').evaluateAll((x) => x.map((e) => e.getAttribute('data-user-id')))).toEqual(s0.workers.map((w: any) => w.userId));
    expect(await page.getByRole('link', { name: '导出 Excel' }).getAttribute('href')).toBe(`/api/v1/patrols/coverage/export.xlsx?month=${chinaMonth()}&regionId=${zhenhai.townshipId}`);
    await screenshot(page, 'console-patrol-coverage-county-township');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('When the coverage page is opened on a phone, then it fits the screen width and shows the figures', async () => {
    const session = await apiLogin(server.url, STATION, DEMO_PASSWORD);
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addCookies([{ name: 'fg_session', value: session.token, domain: new URL(server.url).hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/patrols/coverage`);
    await expectVisible(page, page.getByRole('region', { name: '覆盖率', exact: true }), 'coverage-phone');
    const c = (await session.get(`/api/v1/patrols/coverage?month=${chinaMonth()}`)).body;
    await expectTotals(page, c);
    await page.getByRole('table', { name: '按网格' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'console-patrol-coverage-phone');
    await context.close();
  });

  it('When the console is in English, then the coverage page speaks English with the same figures', async () => {
    const { context, session } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD, 'en');
    const page = await context.newPage();
    await page.goto(`${server.url}/patrols/coverage`);
    await expectVisible(page, page.getByRole('heading', { name: 'Patrol coverage' }), 'coverage-en');
    const c = (await session.get(`/api/v1/patrols/coverage?month=${chinaMonth()}`)).body;
    expect(await stat(page, 'Coverage')).toBe(pct(c.totals.coverage));
    expect(await stat(page, 'Grids below coverage')).toBe(String(c.totals.gridsCoverageShort));
    await expectVisible(page, page.getByRole('link', { name: 'Export to Excel' }), 'coverage-en-export');
    await context.close();
  });

  it("When the user opens 巡查记录, then the list is the API's newest first, filters and pages as the API does, and a patrol opens with its checklist and raised event", async () => {
    const { context } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/queue`);
    await openFromMenu(page, '巡查记录', /\/patrols$/);

    // First page: the API's 50 newest, then "load more" brings the next page.
    const all = (await station.get('/api/v1/patrols?limit=50')).body;
    expect(all.items.length).toBe(50);
    expect(all.nextCursor).toBeTruthy();
    await expectVisible(page, page.locator(`tr[data-patrol-id="${all.items[0].id}"]`), 'patrol-list');
    let shown = await rows(page, '巡查记录', 'data-patrol-id');
    expect(shown.map((r) => r.id)).toEqual(all.items.map((p: any) => p.id));
    const typeLabel: Record<string, string> = { routine: '日常巡查', double_random: '双随机检查', flight: '飞行检查', unannounced: '四不两直' };
    const roleLabel: Record<string, string> = { grid_member: '网格员', grid_leader: '网格长', unit_leader: '单元长', station_staff: '市场监管所人员' };
    expect(shown.map((r) => r.cells.slice(1))).toEqual(
      all.items.map((p: any) => [
        p.businessName,
        typeLabel[p.type],
        `${p.patrollerName}${roleLabel[p.patrollerRole]}`,
        p.passed ? '合格' : `不合格 ${p.failedCount} 项`,
        p.eventIds.length ? '事件' : '—',
        p.note ?? '—',
      ]),
    );
    const next = (await station.get(`/api/v1/patrols?limit=50&cursor=${all.nextCursor}`)).body;
    expect(next.items.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: '加载更多' }).click();
    await expectVisible(page, page.locator(`tr[data-patrol-id="${next.items[next.items.length - 1].id}"]`), 'patrol-list-more');
    shown = await rows(page, '巡查记录', 'data-patrol-id');
    expect(shown.map((r) => r.id)).toEqual([...all.items, ...next.items].map((p: any) => p.id));
    await screenshot(page, 'console-patrol-list');

    // Filter: 不合格 only — the API's failed patrols, ours among them.
    await page.getByRole('combobox', { name: '巡查结果' }).click();
    // the option itself: the dropdown opened before may still be visible while it moves out
    const failedOption = page.locator('.ant-select-dropdown:visible').getByText('不合格', { exact: true });
    await popupSettled(failedOption);
    await failedOption.click();
    await page.waitForURL(/passed=false/);
    const failedOnly = (await station.get('/api/v1/patrols?passed=false&limit=50')).body.items;
    expect(failedOnly.map((p: any) => p.id)).toContain(failed.id);
    await expect.poll(async () => (await rows(page, '巡查记录', 'data-patrol-id')).map((r) => r.id), { timeout: 30_000 }).toEqual(failedOnly.map((p: any) => p.id));
    expect(await page.getByRole('link', { name: '导出 Excel' }).getAttribute('href')).toBe('/api/v1/patrols/export.xlsx?passed=false');

    // Filter: type 四不两直 as well — none of those failed; then the type alone.
    await page.getByRole('combobox', { name: '巡查类型' }).click();
    // the option itself: the dropdown opened before may still be visible while it moves out
    const typeOption = page.locator('.ant-select-dropdown:visible').getByText('四不两直', { exact: true });
    await popupSettled(typeOption);
    await typeOption.click();
    await page.waitForURL(/type=unannounced/);
    await expectVisible(page, page.getByText('没有符合条件的巡查记录'), 'patrol-list-empty');
    await page.goto(`${server.url}/patrols?type=unannounced`);
    const unannounced = (await station.get('/api/v1/patrols?type=unannounced&limit=50')).body.items;
    expect(unannounced.map((p: any) => p.id)).toEqual([sinkDown.id]);
    await expect.poll(async () => (await rows(page, '巡查记录', 'data-patrol-id')).map((r) => r.id), { timeout: 30_000 }).toEqual([sinkDown.id]);
    expect((await rows(page, '巡查记录', 'data-patrol-id'))[0].cells).toContain(SINK_NOTE);

    // The failed patrol's checklist, with the raised event.
    await page.goto(`${server.url}/patrols?passed=false`);
    const row = page.locator(`tr[data-patrol-id="${failed.id}"]`);
    await expectVisible(page, row, 'patrol-failed-row');
    expect(await row.getByRole('link', { name: '事件', exact: true }).getAttribute('href')).toBe(`/events/${failed.eventIds[0]}`);
    await row.getByRole('link', { name: /^巡查详情/ }).click();
    await page.waitForURL(new RegExp(`/patrols/${failed.id}$`));
    const detail = (await station.get(`/api/v1/patrols/${failed.id}`)).body;
    const event = (await station.get(`/api/v1/events/${failed.eventIds[0]}`)).body;
    await expectVisible(page, page.getByRole('heading', { name: `巡查详情：${detail.businessName}` }), 'patrol-detail');
    const aspects: Record<string, string> = { license: '证（证照）', people: '人（人员）', goods: '物（食品及原料）', invoices: '票（票据台账）', hygiene: '洁（环境卫生）' };
    const lines = await rows(page, '检查清单', 'data-row-key');
    await expect.poll(async () => (await rows(page, '检查清单', 'data-row-key')).find((l) => l.id === '5')?.cells[5], { timeout: 30_000 }).toContain(event.title);
    expect(lines.length).toBe(detail.items.length);
    expect((await rows(page, '检查清单', 'data-row-key')).map((l) => l.cells.slice(0, 5))).toEqual(
      detail.items.map((i: any) => [String(i.seq), aspects[i.aspect], i.itemName ? `${i.itemCode ?? ''} ${i.itemName}`.trim() : (i.itemCode ?? '—'), i.passed ? '合格' : '不合格', i.note ?? '—']),
    );
    expect(detail.items.find((i: any) => !i.passed)).toMatchObject({ aspect: 'hygiene', note: FAILED_NOTE, eventId: event.id });
    expect(await page.getByText(member.displayName, { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(page, 'console-patrol-detail');
    await page.getByRole('link', { name: event.title }).click();
    await page.waitForURL(new RegExp(`/events/${event.id}$`));
    await expectVisible(page, page.getByRole('heading', { name: event.title }), 'patrol-event');
    expect(errors).toEqual([]);
    await context.close();
  });
});
