import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { apiLogin, DEMO_PASSWORD, expectVisible, launchBrowser, screenshot, signedInContext, startServer, type Browser, type RunningServer } from './helpers/index.js';

/**
 * Businesses in the console (B4, S1): an import with a bad row lists the row errors and writes
 * nothing; a good file imports with the progress bar at 100 %; the QR-code poster of a business
 * encodes the public report link for it.
 */
const STATION = 'station_350304001_1';
let server: RunningServer;
let browser: Browser;
let unitCode = '';
const tag = Date.now().toString(36);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const s = await apiLogin(server.url, STATION, DEMO_PASSWORD);
  unitCode = (await s.get('/api/v1/regions?level=unit&limit=1')).body.items[0].code;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const csv = (rows: string[]) => Buffer.from('\uFEFF' + ['名称,类型,所属单元,地址', ...rows].join('\r\n') + '\r\n', 'utf8');

describe('Businesses (console)', () => {
  it('When a file with a bad row is imported, then every row error is listed by row and column and nothing is written', async () => {
    const { context, session } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/businesses/import`);
    await expectVisible(page, page.getByText('点击或拖拽文件到此处上传'), 'import-page');
    await page.setInputFiles('input[type=file]', {
      name: '台账.csv',
      mimeType: 'text/csv',
      buffer: csv([`好味小吃店-${tag},餐饮,${unitCode},新街1号`, `,餐饮,${unitCode},新街2号`]),
    });
    const table = page.getByRole('table').filter({ hasText: '行号' });
    const row = table.getByRole('row').filter({ hasText: '名称不能为空' });
    await expectVisible(page, row.first(), 'import-errors');
    // Row 3 of the sheet (header is row 1), column 名称.
    expect((await row.first().getByRole('cell').allTextContents()).slice(0, 2)).toEqual(['3', '名称']);
    await screenshot(page, 'console-business-import-errors');
    const found = await session.get(`/api/v1/businesses?q=${encodeURIComponent(`好味小吃店-${tag}`)}`);
    expect(found.body.items).toHaveLength(0);
    await context.close();
  });

  it('When a good file is imported, then the progress reaches 100 % and the businesses are in the registry', async () => {
    const { context, session } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/businesses/import`);
    await page.setInputFiles('input[type=file]', {
      name: '台账.csv',
      mimeType: 'text/csv',
      buffer: csv([`好味小吃店-${tag},餐饮,${unitCode},新街1号`, `鲜果铺-${tag},销售,${unitCode},新街3号`]),
    });
    await expectVisible(page, page.getByText('已导入 2 条'), 'import-done');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await screenshot(page, 'console-business-import-done');
    const found = await session.get(`/api/v1/businesses?q=${encodeURIComponent(tag)}`);
    expect(found.body.items.map((b: any) => b.name).sort()).toEqual([`好味小吃店-${tag}`, `鲜果铺-${tag}`].sort());
    await context.close();
  });

  it("When the QR-code poster of a business is opened, then its code is the public report link for that business", async () => {
    const { context, session } = await signedInContext(browser, server.url, STATION, DEMO_PASSWORD);
    const b = (await session.get('/api/v1/businesses?limit=1')).body.items[0];
    const page = await context.newPage();
    await page.goto(`${server.url}/businesses/${b.id}`);
    await expectVisible(page, page.getByRole('heading', { name: b.name }), 'business-detail');
    await page.getByRole('button', { name: '举报二维码海报' }).click();
    const qr = page.getByRole('img', { name: '举报二维码' });
    await expectVisible(page, qr.locator('svg'), 'poster');
    expect(await page.getByText(`${server.url}/p/report?business=${b.id}`).count()).toBe(1);
    // The code on screen is exactly the one the qrcode library draws for the report link.
    const url = `${server.url}/p/report?business=${b.id}`;
    const mine = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1, width: 320 });
    const paths = (svg: string) => [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
    expect(paths(await qr.innerHTML())).toEqual(paths(mine));
    expect(paths(mine).length).toBeGreaterThan(0);
    await screenshot(page, 'console-business-poster');
    await context.close();
  });
});
