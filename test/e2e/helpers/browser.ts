import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from './server.js';

export const SCREENS = path.join(REPO, 'test-results/screens');

/** Debian's chromium (scripts/ensure-browser.sh installs it with the CJK fonts). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ApiSession {
  token: string;
  user: any;
  /** Requests with the session's bearer token (for comparing the screens with the API). */
  get<T = any>(url: string): Promise<{ status: number; body: T }>;
}

/** Signs in through the API as a browser would, returning the session token. */
export async function apiLogin(baseUrl: string, username: string, password: string): Promise<ApiSession> {
  const r = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await r.json()) as any;
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(body)}`);
  const token: string = body.token;
  return {
    token,
    user: body.user,
    async get(url) {
      const res = await fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
  };
}

/**
 * A browser context signed in as `username`: the session cookie from an API sign-in is put into
 * the context (the stories test the screens, not the sign-in form, unless they say so).
 */
export async function signedInContext(browser: Browser, baseUrl: string, username: string, password: string, lang: 'zh' | 'en' = 'zh') {
  const session = await apiLogin(baseUrl, username, password);
  const context = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-US', viewport: { width: 1440, height: 900 } });
  const u = new URL(baseUrl);
  await context.addCookies([{ name: 'fg_session', value: session.token, domain: u.hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
  if (lang === 'en') await context.addInitScript(() => localStorage.setItem('foodgrid.lang', 'en'));
  return { context, session };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const file = path.join(SCREENS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects uncaught page errors so a story can assert the page did not crash. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/**
 * Records a page's requests as they start and end (`> GET /api/…`, `< 200 GET /api/…`,
 * `x GET /api/… net::ERR_…`), with the milliseconds since watching began, so a story that fails
 * waiting for a screen can say what the page asked for and what never came back.
 */
export function watchTraffic(page: Page, baseUrl: string): string[] {
  const log: string[] = [];
  const t0 = Date.now();
  const at = () => `${String(Date.now() - t0).padStart(6)} ms`;
  const short = (u: string) => u.replace(baseUrl, '');
  page.on('request', (r) => log.push(`${at()} > ${r.method()} ${short(r.url())}`));
  // the answer is fetched from the browser afterwards: when the page closes first, the fetch
  // fails, and that must not surface as an unhandled rejection after the story has passed
  page.on('requestfinished', (r) => {
    r.response().then(
      (res) => log.push(`${at()} < ${res?.status() ?? '?'} ${r.method()} ${short(r.url())}`),
      () => log.push(`${at()} < ? ${r.method()} ${short(r.url())} (page closed)`),
    );
  });
  page.on('requestfailed', (r) => log.push(`${at()} x ${r.method()} ${short(r.url())} ${r.failure()?.errorText ?? ''}`));
  return log;
}

/**
 * A failed step's error with what was seen around it: named facts (what the page shows, …), the
 * page's requests (`watchTraffic`) and the end of the server's output.
 */
export function diagnosed(e: unknown, facts: Record<string, string>, traffic: string[], serverOutput: string): Error {
  const lines = [e instanceof Error ? e.message : String(e), ...Object.entries(facts).map(([k, v]) => `${k}: ${v}`)];
  lines.push(`requests:\n${traffic.join('\n')}`, `server: ${serverOutput.slice(-4000)}`);
  return new Error(lines.join('\n'));
}

export type { Browser, BrowserContext, Page };

/**
 * Waits until a popup (dialog, confirmation bubble, dropdown, picker panel) has finished moving
 * in. antd animates them in (classes `ant-zoom-appear…`, `ant-slide-up-enter…` on the popup or
 * its wrapper while they move); a click in that time is aimed where the target was a frame
 * before and can miss it, or land on a dialog's mask, which closes the dialog — seen on a slow
 * machine, where the skip-level form's 提交 went unanswered. `popup` is the popup or the target
 * inside it; pass the target when an earlier popup of the same kind may still be moving out.
 */
export async function popupSettled(popup: ReturnType<Page['locator']>, timeout = 30_000): Promise<void> {
  await popup.waitFor({ timeout });
  const el = await popup.elementHandle({ timeout });
  await popup.page().waitForFunction(
    (start) => {
      for (let n = start as Element | null; n; n = n.parentElement) {
        const tokens = (n.getAttribute('class') ?? '').split(/\s+/);
        if (tokens.some((t) => /^ant-[a-z-]+-(appear|enter)(-(prepare|start|active))?$/.test(t))) return false;
      }
      return true;
    },
    el,
    { timeout },
  );
}

/** Waits for a locator; on failure saves a screenshot named after the step, then fails. */
export async function expectVisible(page: Page, locator: ReturnType<Page['locator']>, name: string, timeout = 30_000) {
  try {
    await locator.waitFor({ timeout });
  } catch (e) {
    await screenshot(page, `FAILED-${name}`).catch(() => undefined);
    throw e;
  }
}
