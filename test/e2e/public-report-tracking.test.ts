import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, launchBrowser, screenshot, startServer, watchErrors, type Browser, type RunningServer } from './helpers/index.js';

/**
 * S1, E1 public_report, E9 in a real browser at phone size: a citizen scans a business's QR code,
 * reports anonymously with a photo, gets a tracking code; staff handle it through the API; the
 * citizen sees the result and the feedback (and no staff names) and rates the handling.
 */
const DEMO_PASSWORD = 'Demo@2026';
const VILLAGE = 'village_350304001001';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' } as const;

describe('Public portal: report from a QR link, track, rate', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('When a citizen reports from a business QR link, then the tracking page later shows the result and feedback and takes a rating', async () => {
    // A business in the demo village whose coordinator handles public reports first (E2).
    const admin = await apiLogin(server.url, 'admin', DEMO_PASSWORD);
    const villageRegion = (await admin.get('/api/v1/regions?code=350304001001')).body.items[0];
    const business = (await admin.get(`/api/v1/businesses?regionId=${villageRegion.id}&limit=1`)).body.items[0];
    expect(business, 'the demo village has businesses').toBeTruthy();

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/p/report?business=${business.id}`);
    await page.getByLabel('被举报经营主体').getByText(business.name).waitFor();
    await page.getByLabel('标题').fill('买到过期酸奶');
    await page.getByLabel('问题描述').fill('今天在该店购买的酸奶已超过保质期三天，店员仍在销售。');
    const photo = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#c8a27a' } }).jpeg().toBuffer();
    await page.getByLabel('照片（选填，最多6张）').setInputFiles({ name: 'yogurt.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('img', { name: '照片1' }).waitFor();
    await page.getByLabel('匿名举报（不留联系方式）').check();
    await screenshot(page, 'public-01-report-form');
    await page.getByRole('button', { name: '提交举报' }).click();

    const codeEl = page.getByTestId('tracking-code');
    await codeEl.waitFor();
    const code = (await codeEl.textContent())!.trim();
    expect(code.length).toBeGreaterThanOrEqual(6);
    // The heading takes focus so a screen reader announces the result.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('举报已提交');
    await screenshot(page, 'public-02-tracking-code');

    // Staff find it at the village (E2) and handle it through the API.
    const village = await apiLogin(server.url, VILLAGE, DEMO_PASSWORD);
    const list = await village.get(`/api/v1/events?channel=public_report&limit=200`);
    const ev = list.body.items.find((e: any) => e.trackingCode === code.replace(/-/g, ''));
    expect(ev, 'the report reached the village coordinator').toBeTruthy();
    expect(ev.businessId).toBe(business.id);
    expect(ev.tier).toBe('village');
    const act = async (body: Record<string, unknown>) => {
      const cur = await village.get(`/api/v1/events/${ev.id}`);
      const r = await fetch(`${server.url}/api/v1/events/${ev.id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${village.token}` },
        body: JSON.stringify({ expectedVersion: cur.body.version, ...body }),
      });
      expect(r.status, `${body.type}: ${await r.clone().text()}`).toBe(200);
      return r.json() as Promise<any>;
    };
    await act({ type: 'accept' });
    await act({ type: 'resolve', result: '经查属实，已责令下架过期酸奶12盒并立案调查' });
    await act({ type: 'feedback', feedback: '感谢您的举报，问题已处理，涉事商品已全部下架。' });
    await act({ type: 'close' });

    // Later, the citizen looks the code up.
    await page.goto(`${server.url}/p/track`);
    await page.getByLabel('查询码').fill(code);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByTestId('report-result').getByText('已责令下架过期酸奶12盒').waitFor();
    await page.getByTestId('report-feedback').getByText('涉事商品已全部下架').waitFor();
    const body = (await page.textContent('body'))!;
    expect(body).not.toContain(village.user.displayName);
    expect(body).not.toContain(VILLAGE);
    await screenshot(page, 'public-03-tracking-result');

    await page.getByRole('radio', { name: '5 · 非常满意' }).check({ force: true });
    await page.getByLabel('意见（选填）').fill('处理很及时');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText(/您的评价|感谢您的评价/).first().waitFor();
    await screenshot(page, 'public-04-rated');

    const after = await fetch(`${server.url}/api/v1/public/reports/${encodeURIComponent(code)}`).then((r) => r.json() as Promise<any>);
    expect(after.rating).toBe(5);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('When a citizen reports a street stall without a business, choosing the place level by level, then the coordinator of that village receives it', async () => {
    const context = await browser.newContext({ ...PHONE, locale: 'en-US' });
    await context.addInitScript(() => localStorage.setItem('foodgrid.lang', 'en'));
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/p/`);
    await page.getByRole('heading', { name: 'Report a food-safety problem' }).waitFor();
    for (const [level, name] of [['City', '莆田市'], ['County', '荔城区'], ['Township', '镇海街道'], ['Village', '文献社区居委会']]) {
      const select = page.getByLabel(level, { exact: true });
      await expect.poll(() => select.locator('option', { hasText: name }).count()).toBe(1);
      await select.selectOption({ label: name });
    }
    await page.getByLabel('Exact place or shop name (optional)').fill('文献路口早餐推车');
    await page.getByLabel('Title').fill('流动摊贩无防尘设施');
    await page.getByLabel('Description').fill('路口早餐推车售卖的包子无遮盖，旁边就是垃圾桶。');
    await page.getByLabel('Phone (optional, seen only by the handler)').fill('13905941234');
    await screenshot(page, 'public-05-report-by-place-en');
    await page.getByRole('button', { name: 'Submit report' }).click();
    const code = (await page.getByTestId('tracking-code').textContent())!.trim().replace(/-/g, '');

    const village = await apiLogin(server.url, VILLAGE, DEMO_PASSWORD);
    const ev = (await village.get('/api/v1/events?channel=public_report&limit=200')).body.items.find((e: any) => e.trackingCode === code);
    expect(ev, 'the village coordinator holds it').toBeTruthy();
    expect(ev.tier).toBe('village');
    expect(ev.businessId).toBeNull();
    expect(ev.description).toContain('文献路口早餐推车');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('When a reporter is not satisfied with a closed report, then they can rate it low and ask for it to be handled again', async () => {
    const admin = await apiLogin(server.url, 'admin', DEMO_PASSWORD);
    const villageRegion = (await admin.get('/api/v1/regions?code=350304001001')).body.items[0];
    const created = await fetch(`${server.url}/api/v1/public/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: '菜市场鱼摊异味', description: '鱼摊冰块不足，鱼已有异味仍在售卖。', regionId: villageRegion.id, anonymous: true }),
    });
    expect(created.status).toBe(201);
    const { trackingCode } = (await created.json()) as any;
    const village = await apiLogin(server.url, VILLAGE, DEMO_PASSWORD);
    const ev = (await village.get('/api/v1/events?channel=public_report&limit=200')).body.items.find((e: any) => e.trackingCode === trackingCode);
    for (const body of [
      { type: 'accept' },
      { type: 'resolve', result: '已现场查看，督促摊主补充冰块' },
      { type: 'feedback', feedback: '已督促整改' },
      { type: 'close' },
    ]) {
      const cur = await village.get(`/api/v1/events/${ev.id}`);
      const r = await fetch(`${server.url}/api/v1/events/${ev.id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${village.token}` },
        body: JSON.stringify({ expectedVersion: cur.body.version, ...body }),
      });
      expect(r.status, `${body.type}: ${await r.clone().text()}`).toBe(200);
    }

    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${server.url}/p/track/${trackingCode}`);
    await page.getByRole('heading', { name: '评价办理结果' }).waitFor();
    await page.getByRole('radio', { name: '2 · 不满意' }).check({ force: true });
    await page.getByLabel('意见（选填）').fill('第二天去看仍然有异味');
    await page.getByLabel('对结果不满意，申请重新办理').check();
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.getByText('您已申请重新办理').waitFor();
    await screenshot(page, 'public-06-reopen-requested');
    const status = await fetch(`${server.url}/api/v1/public/reports/${trackingCode}`).then((r) => r.json() as Promise<any>);
    expect(status.rating).toBe(2);
    expect(status.history.some((h: any) => h.type === 'reopen_requested')).toBe(true);
    await context.close();
  });

  it('When a tracking code does not exist, then the page says so and offers the lookup again', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${server.url}/p/track/NOSUCHCODE`);
    await page.getByRole('alert').getByText('查询码不存在').waitFor();
    await page.getByLabel('查询码').waitFor();
    await context.close();
  });
});
