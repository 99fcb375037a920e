import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, expectVisible, launchBrowser, screenshot, startServer, watchErrors, type Browser, type RunningServer } from './helpers/index.js';

/**
 * Signing in to the console on a fresh installation (no demo world): the bootstrap admin must
 * change the initial password first (403 password_change_required → change-password form), a
 * bad password is refused with a message, repeated failures lock the account (423), the
 * language switch sticks, and signing out returns to the sign-in page.
 */
const INITIAL = 'Init-Passw0rd!2026';
const CHANGED = 'Changed-Passw0rd!2026';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ FOODGRID_DEMO: '0', FOODGRID_ADMIN_PASSWORD: INITIAL, FOODGRID_LOCKOUT_THRESHOLD: '3' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Console sign-in', () => {
  it('When the stories run, then the server runs on the database the test run chose (PostgreSQL when TEST_DATABASE_URL is set)', () => {
    expect(server.database).toBe(process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded');
    expect(server.output()).toContain(server.database === 'postgres' ? '(PostgreSQL server' : '(embedded database');
  });

  it('When the admin signs in with the initial password, then the console asks for a new password before anything else', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/events`);
    await expectVisible(page, page.getByRole('button', { name: '登 录' }), 'signin-form');

    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登 录' }).click();
    await expectVisible(page, page.getByRole('alert').filter({ hasText: '用户名或密码错误' }), 'signin-wrong');
    await screenshot(page, 'console-signin-wrong-password');

    await page.getByLabel('密码').fill(INITIAL);
    await page.getByRole('button', { name: '登 录' }).click();
    await expectVisible(page, page.getByText('首次登录须先修改初始密码'), 'signin-forced-change');
    // The API refuses everything but the password change meanwhile.
    expect((await context.request.get(`${server.url}/api/v1/users`)).status()).toBe(403);

    await page.getByLabel('当前密码').fill(INITIAL);
    await page.getByLabel('新密码', { exact: true }).fill('abcdefgh12');
    await page.getByLabel('确认新密码').fill('abcdefgh12');
    await page.getByRole('button', { name: '修改密码' }).click();
    await expectVisible(page, page.getByText('密码不符合安全要求', { exact: false }), 'signin-weak');
    await screenshot(page, 'console-signin-weak-password');

    await page.getByLabel('新密码', { exact: true }).fill(CHANGED);
    await page.getByLabel('确认新密码').fill(CHANGED);
    await page.getByRole('button', { name: '修改密码' }).click();
    // Straight on to the page first asked for.
    await expectVisible(page, page.getByRole('heading', { name: '事件管理' }), 'signin-console');
    await page.getByRole('button', { name: '用户菜单' }).waitFor();
    expect(errors).toEqual([]);
    await screenshot(page, 'console-signin-done');
    await context.close();
  });

  it('When the language is switched to English, then the console stays in English after a reload, and signing out shows the sign-in page', async () => {
    const s = await apiLogin(server.url, 'admin', CHANGED);
    const context = await browser.newContext({ locale: 'zh-CN' });
    await context.addCookies([{ name: 'fg_session', value: s.token, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/queue`);
    await expectVisible(page, page.getByRole('heading', { name: '待办工作' }), 'lang-zh');
    await page.getByText('EN', { exact: true }).click();
    await expectVisible(page, page.getByRole('heading', { name: 'Work queue' }), 'lang-en');
    await page.reload();
    await expectVisible(page, page.getByRole('heading', { name: 'Work queue' }), 'lang-en-reload');
    await screenshot(page, 'console-english');

    await page.getByRole('button', { name: 'User menu' }).hover();
    await page.getByText('Sign out').click();
    await expectVisible(page, page.getByRole('button', { name: 'Sign in' }), 'signed-out');
    // The session is gone on the server too.
    expect((await fetch(`${server.url}/api/v1/me`, { headers: { cookie: `fg_session=${s.token}` } })).status).toBe(401);
    await context.close();
  });

  it('When a user fails to sign in too often, then the sign-in page says the account is locked', async () => {
    const admin = await apiLogin(server.url, 'admin', CHANGED);
    const post = (url: string, body: unknown) =>
      fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` }, body: JSON.stringify(body) });
    const city = await post('/api/v1/regions', { code: '350300', name: '莆田市', level: 'city' });
    expect(city.status).toBe(201);
    const regionId = ((await city.json()) as any).id;
    const created = await post('/api/v1/users', { username: 'clerk_lock', password: 'Clerk-Passw0rd!', displayName: '锁定测试', role: 'bureau_staff', regionId });
    expect(created.status, await created.clone().text()).toBe(201);
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('用户名').fill('clerk_lock');
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('密码').fill(`wrong-${i}`);
      await page.getByRole('button', { name: '登 录' }).click();
      await expectVisible(page, page.getByRole('alert'), `lock-attempt-${i}`);
    }
    // Even the right password is refused now.
    await page.getByLabel('密码').fill('Clerk-Passw0rd!');
    await page.getByRole('button', { name: '登 录' }).click();
    await expectVisible(page, page.getByRole('alert').filter({ hasText: '账号已锁定' }), 'locked');
    await screenshot(page, 'console-signin-locked');
    await context.close();
  });
});
