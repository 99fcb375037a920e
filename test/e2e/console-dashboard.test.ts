import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, DEMO_PASSWORD, expectVisible, launchBrowser, screenshot, signedInContext, startServer, watchErrors, type Browser, type Page, type RunningServer } from './helpers/index.js';

/**
 * The dashboard shows the figures of the metrics API for the user's jurisdiction, and the same
 * figures for a sub-region after drilling down (county → township).
 */
const COUNTY_STAFF = 'licheng_staff'; // 荔城区市场监督管理局

let server: RunningServer;
let browser: Browser;

async function report(username: string, code: string, n: number) {
  const s = await apiLogin(server.url, username, DEMO_PASSWORD);
  const regionId = (await s.get(`/api/v1/regions?code=${code}`)).body.items[0].id as string;
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
      body: JSON.stringify({ channel: 'department_patrol', title: `看板测试事件${code}-${i}`, description: '巡查发现问题', regionId }),
    });
    expect(r.status).toBe(201);
  }
  return regionId;
}

const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

async function stat(page: Page, title: string) {
  const box = page.getByRole('region', { name: title });
  await box.waitFor();
  return ((await box.locator('.ant-statistic-content').textContent()) ?? '').replace(/,/g, '').trim();
}

async function expectFigures(page: Page, m: any) {
  expect(await stat(page, '事件总数')).toBe(String(m.total));
  expect(await stat(page, '办结数')).toBe(String(m.byState.closed ?? 0));
  expect(await stat(page, '超时未办')).toBe(String(m.overdue));
  expect(await stat(page, '自行办结率')).toBe(pct(m.selfClosure?.rate ?? m.selfClosureRate));
  expect(await stat(page, '按时办结率')).toBe(pct(m.onTime?.rate ?? m.onTimeRate));
}

let zhenhaiId = '';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  zhenhaiId = await report('station_350304001_1', '350304001', 3); // 镇海街道
  await report('station_350304002_1', '350304002', 2); // 拱辰街道
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Dashboard (console)', () => {
  it("When a county bureau user opens the dashboard, then its figures are the metrics API's for the county", async () => {
    const { context, session } = await signedInContext(browser, server.url, COUNTY_STAFF, DEMO_PASSWORD);
    const m = (await session.get('/api/v1/metrics/events')).body;
    expect(m.total).toBeGreaterThanOrEqual(5);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/dashboard`);
    await expectVisible(page, page.getByRole('region', { name: '事件总数' }), 'dashboard-county');
    await expectFigures(page, m);
    // The charts are drawn (ECharts is fetched on demand).
    await page.locator('[role="img"][aria-label="按状态"][data-ready="1"]').waitFor();
    await screenshot(page, 'console-dashboard-county');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("When the user drills down to a township, then the figures are the metrics API's for that township", async () => {
    const { context, session } = await signedInContext(browser, server.url, COUNTY_STAFF, DEMO_PASSWORD);
    const county = (await session.get('/api/v1/metrics/events')).body;
    const town = (await session.get(`/api/v1/metrics/events?regionId=${zhenhaiId}`)).body;
    expect(town.total).toBeGreaterThanOrEqual(3);
    expect(town.total).toBeLessThan(county.total);
    const page = await context.newPage();
    await page.goto(`${server.url}/dashboard`);
    // Sub-region table of the county: 镇海街道's row carries its own total.
    const row = page.getByRole('row').filter({ has: page.getByText('镇海街道', { exact: true }) });
    await expectVisible(page, row, 'dashboard-subregions');
    await expect.poll(async () => (await row.locator('td').nth(1).textContent())?.trim(), { timeout: 30_000 }).toBe(String(town.total));
    await row.getByText('镇海街道', { exact: true }).click();
    await page.waitForURL(new RegExp(`regionId=${zhenhaiId}`));
    await expect.poll(() => stat(page, '事件总数'), { timeout: 30_000 }).toBe(String(town.total));
    await expectFigures(page, town);
    await screenshot(page, 'console-dashboard-township');
    await context.close();
  });
});
