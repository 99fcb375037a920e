import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, popupSettled, diagnosed, expectVisible, launchBrowser, screenshot, signedInContext, startServer, watchTraffic, type Browser, type RunningServer } from './helpers/index.js';

/**
 * I1 user administration in the console: the county administrator creates a station user, the
 * user can sign in; disabling the user ends their sign-ins; resetting the password works.
 */
const ADMIN = 'licheng_admin';
let server: RunningServer;
let browser: Browser;
const username = `zh_clerk_${Date.now().toString(36)}`;
const login = (u: string, p: string) =>
  fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: p }) });

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('User administration (console)', () => {
  it('When the administrator creates, disables and resets a user, then sign-in follows each change', async () => {
    const { context } = await signedInContext(browser, server.url, ADMIN, DEMO_PASSWORD);
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/users`);
    await expectVisible(page, page.getByRole('button', { name: '新建用户' }), 'users-page');
    await page.getByRole('button', { name: '新建用户' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill(username);
    await dialog.getByLabel('姓名').fill('林小燕');
    await dialog.getByLabel('角色').click();
    await popupSettled(page.getByTitle('市场监管所人员'));
    await page.getByTitle('市场监管所人员').click();
    await dialog.getByLabel('所属机构').click();
    await dialog.getByLabel('所属机构').fill('镇海市场监督管理所');
    await page.getByTitle(/镇海市场监督管理所/).first().click();
    await dialog.getByLabel('初始密码').fill('Clerk-Start#2026');
    await dialog.getByRole('button', { name: /确\s?定|OK/ }).click();
    await expectVisible(page, page.getByText('用户已创建', { exact: false }), 'users-created');
    expect((await login(username, 'Clerk-Start#2026')).status).toBe(200);

    await page.getByPlaceholder('姓名/用户名').fill(username);
    await page.getByPlaceholder('姓名/用户名').press('Enter');
    const row = page.getByRole('row').filter({ hasText: username });
    await expectVisible(page, row, 'users-row');
    await row.getByRole('button', { name: /停\s?用/ }).click();
    await popupSettled(page.getByRole('tooltip'));
    await page.getByRole('tooltip').getByRole('button', { name: /确\s?定|OK/ }).click();
    await expectVisible(page, row.getByText('已停用'), 'users-disabled');
    await screenshot(page, 'console-users-disabled');
    expect((await login(username, 'Clerk-Start#2026')).status).toBe(401);

    await row.getByRole('button', { name: /启\s?用/ }).click();
    await popupSettled(page.getByRole('tooltip'));
    await page.getByRole('tooltip').getByRole('button', { name: /确\s?定|OK/ }).click();
    await expectVisible(page, row.getByText('正常'), 'users-enabled');
    await row.getByRole('button', { name: '重置密码' }).click();
    const traffic = watchTraffic(page, server.url);
    await popupSettled(page.getByRole('dialog'));
    await page.getByRole('dialog').getByLabel('新的初始密码').fill('Clerk-Reset#2026');
    await page.getByRole('dialog').getByRole('button', { name: /确\s?定|OK/ }).click();
    await expectVisible(page, page.getByText('密码已重置', { exact: false }), 'users-reset').catch((e) => {
      throw diagnosed(e, {}, traffic, server.output());
    });
    expect((await login(username, 'Clerk-Start#2026')).status).toBe(401);
    expect((await login(username, 'Clerk-Reset#2026')).status).toBe(200);
    await context.close();
  });
});
