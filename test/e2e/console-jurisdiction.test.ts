import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { apiLogin, DEMO_PASSWORD, expectVisible, launchBrowser, screenshot, signedInContext, startServer, watchErrors, type Browser, type RunningServer } from './helpers/index.js';

/**
 * I4 in the console: a station's staff member sees the events of their own township only — in
 * the list, on a detail page opened by URL, and in the Excel export of the list.
 */
const STATION_A = 'station_350304001_1'; // 镇海街道市场监管所 (region code 350304001)
const STATION_B = 'station_350304002_1'; // 拱辰街道市场监管所 (region code 350304002)

let server: RunningServer;
let browser: Browser;
const tag = Date.now().toString(36);
const titleA = `镇海街道餐馆后厨卫生差-${tag}`;
const titleB = `拱辰街道小吃店使用过期食材-${tag}`;
let idA = '';
let idB = '';

async function regionIdOf(s: Awaited<ReturnType<typeof apiLogin>>, code: string) {
  const r = await s.get(`/api/v1/regions?code=${code}`);
  expect(r.status).toBe(200);
  return r.body.items[0].id as string;
}

async function report(username: string, code: string, title: string) {
  const s = await apiLogin(server.url, username, DEMO_PASSWORD);
  const regionId = await regionIdOf(s, code);
  const r = await fetch(`${server.url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ channel: 'department_patrol', title, description: '巡查发现：后厨地面积水，冷藏柜内有过期食材。', regionId }),
  });
  const body = (await r.json()) as any;
  expect(r.status, JSON.stringify(body)).toBe(201);
  return body.id as string;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  idA = await report(STATION_A, '350304001', titleA);
  idB = await report(STATION_B, '350304002', titleB);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Station staff in the console (I4)', () => {
  it('When the other township has an event, then the city administrator can see it (control)', async () => {
    const admin = await apiLogin(server.url, 'admin', DEMO_PASSWORD);
    expect((await admin.get(`/api/v1/events/${idB}`)).status).toBe(200);
  });

  it("When a station user opens the event list, then their township's event is listed and the other township's is not", async () => {
    const { context } = await signedInContext(browser, server.url, STATION_A, DEMO_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/events`);
    await expectVisible(page, page.getByRole('link', { name: titleA }), 'list-own-event');
    expect(await page.getByText(titleB).count()).toBe(0);
    await screenshot(page, 'console-jurisdiction-list');

    // Filtering on the other township by URL shows "not in your jurisdiction", not its events.
    await page.goto(`${server.url}/events?regionId=${await regionIdOf(await apiLogin(server.url, 'admin', DEMO_PASSWORD), '350304002')}`);
    await page.getByText('未找到，或不在您的管辖范围内').waitFor();
    expect(await page.getByText(titleB).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("When a station user opens the other township's event by URL, then the page says not found and shows nothing of it", async () => {
    const { context } = await signedInContext(browser, server.url, STATION_A, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/events/${idB}`);
    await page.getByText('未找到，或不在您的管辖范围内').waitFor();
    expect(await page.getByText(titleB).count()).toBe(0);
    await screenshot(page, 'console-jurisdiction-detail-outside');

    // Their own event opens, with the actions the state machine allows them (accept, …).
    await page.goto(`${server.url}/events/${idA}`);
    await page.getByRole('heading', { name: titleA }).waitFor();
    await page.getByRole('button', { name: '受理' }).waitFor();
    await screenshot(page, 'console-jurisdiction-detail-own');
    await context.close();
  });

  it("When a station user exports the event list, then the spreadsheet holds their township's event and not the other's", async () => {
    const { context } = await signedInContext(browser, server.url, STATION_A, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/events?state=open`);
    const link = page.getByRole('link', { name: '导出Excel' });
    await link.waitFor();
    const href = await link.getAttribute('href');
    expect(href).toBe('/api/v1/events/export.xlsx?state=open');

    // The browser's own session downloads it, as a click would.
    const res = await context.request.get(`${server.url}${href}`);
    const body = await res.body();
    expect(body.toString('utf8')).not.toContain(titleB);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as any);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value ?? '')))));
    expect(cells.some((c) => c.includes(titleA))).toBe(true);
    expect(cells.some((c) => c.includes(titleB))).toBe(false);
    await context.close();
  });
});
