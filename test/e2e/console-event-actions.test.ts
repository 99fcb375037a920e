import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, DEMO_PASSWORD, popupSettled, expectVisible, launchBrowser, screenshot, signedInContext, startServer, watchErrors, type Browser, type RunningServer } from './helpers/index.js';

/**
 * Handling an event on its detail page: only the actions the state machine allows are offered;
 * when a colleague acted first the console says so (409 → 有人已先处理，请刷新) instead of
 * overwriting; a skip-level escalation asks for one of the four reasons (E4).
 */
const ME = 'station_350304001_1';
const COLLEAGUE = 'station_350304001_2';

let server: RunningServer;
let browser: Browser;
let eventId = '';
const title = `镇海街道某面馆使用无标签调味料-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const s = await apiLogin(server.url, ME, DEMO_PASSWORD);
  const regionId = (await s.get('/api/v1/regions?code=350304001')).body.items[0].id;
  const r = await fetch(`${server.url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ channel: 'department_patrol', title, description: '后厨调味料无标签、来源不明。', regionId }),
  });
  expect(r.status).toBe(201);
  eventId = ((await r.json()) as any).id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Event detail actions (console)', () => {
  it('When a colleague accepted the event after the page was opened, then accepting says someone acted first, and a reload shows the new state', async () => {
    const { context } = await signedInContext(browser, server.url, ME, DEMO_PASSWORD);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/events/${eventId}`);
    await expectVisible(page, page.getByRole('button', { name: '受 理' }), 'actions-accept');

    const colleague = await apiLogin(server.url, COLLEAGUE, DEMO_PASSWORD);
    const accepted = await fetch(`${server.url}/api/v1/events/${eventId}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${colleague.token}` },
      body: JSON.stringify({ type: 'accept', expectedVersion: 1 }),
    });
    expect(accepted.status).toBe(200);

    await page.getByRole('button', { name: '受 理' }).click();
    await popupSettled(page.getByRole('dialog'));
    await page.getByRole('dialog').getByRole('button', { name: /确\s?定/ }).click();
    await expectVisible(page, page.getByRole('alert').filter({ hasText: '有人已先处理，请刷新' }), 'actions-conflict');
    await screenshot(page, 'console-event-conflict');
    await page.getByRole('alert').getByRole('button', { name: /刷\s?新/ }).click();
    await expectVisible(page, page.getByText('处置中').first(), 'actions-reloaded');
    expect(await page.getByRole('button', { name: '受 理' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('When the station escalates skipping levels, then the form requires a reason code and the event moves to the city with that reason', async () => {
    const { context, session } = await signedInContext(browser, server.url, ME, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/events/${eventId}`);
    await expectVisible(page, page.getByRole('button', { name: '越级上报' }), 'skip-button');
    await page.getByRole('button', { name: '越级上报' }).click();
    const dialog = page.getByRole('dialog');
    await popupSettled(dialog);
    await dialog.getByRole('button', { name: /提\s?交/ }).click();
    await expectVisible(page, dialog.getByText('必填').first(), 'skip-required');
    expect(await dialog.getByText('必填').count()).toBe(3);

    await dialog.getByText('市级', { exact: true }).click();
    await dialog.getByText('疑难复杂', { exact: true }).click();
    await dialog.getByLabel('情况说明').fill('涉及多个街道的同一供货商，需市局统筹。');
    await screenshot(page, 'console-event-skip-form');
    await dialog.getByRole('button', { name: /提\s?交/ }).click();
    await expectVisible(page, page.getByText('理由：疑难复杂'), 'skip-done');
    await screenshot(page, 'console-event-skipped');

    const ev = (await (await apiLogin(server.url, 'admin', DEMO_PASSWORD)).get(`/api/v1/events/${eventId}`)).body;
    expect(ev.tier).toBe('city');
    expect(ev.history.at(-1)).toMatchObject({ type: 'skip_escalate', detail: expect.objectContaining({ reasonCode: 'difficult', targetTier: 'city' }) });
    // It left the station: no more actions for it here, and the page offers none.
    expect((await session.get(`/api/v1/events/${eventId}`)).status).toBe(200);
    await context.close();
  });
});
