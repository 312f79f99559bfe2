// Keyboard and focus on the hosted pages, in a real Chromium: a page shown with an error puts
// the focus in the field that has it (a refused phone number, a wrong code, a bad email on the
// registration profile); and a whole sign-in (phone → code → the relying app) is done with the
// keyboard alone, every control reached by Tab showing a visible focus indicator.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { authUrl } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { enterCode, enterPhone, open, press, tourPage, wrongCode } from '../helpers/page-tour.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
});

interface Focused { what: string; id: string; invalid: string | null; indicator: boolean }

/** The focused element: a short description, and whether it shows a focus outline or ring. */
const focused = (page: Page): Promise<Focused> => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  if (!el || el === document.body) return { what: 'body', id: '', invalid: null, indicator: false };
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const label = (el.textContent ?? '').trim() || el.getAttribute('name') || '';
  return {
    what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${label ? ` "${label.slice(0, 40)}"` : ''}`,
    id: el.id, invalid: el.getAttribute('aria-invalid'), indicator: outline || s.boxShadow !== 'none',
  };
});

/** Tabs once round the page from the focused control; returns every control reached. */
async function tabRound(page: Page): Promise<Focused[]> {
  const start = (await focused(page)).what;
  const seen: Focused[] = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.what === start) return seen;
    if (now.what !== 'body') seen.push(now);
  }
  throw new Error(`Tab never came back to ${start}: ${seen.map((f) => f.what).join(', ')}`);
}

/** Tab until the control `matches`, at most one round. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function enterKey(page: Page): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

test('a page shown with an error puts the focus in the field with the error', { timeout: 90_000 }, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const srv = server = await startServer();
  const context = await browser.newContext();
  const page = await tourPage(context);

  await open(page, authUrl(srv));
  await enterPhone(page, '12', 'sms');
  assert.deepEqual(await focused(page).then((f) => [f.id, f.invalid]), ['phone', 'true'], 'after a refused number, the phone field has the focus');

  await enterPhone(page, REGISTERED, 'sms');
  await enterCode(page, wrongCode(await lastCode(srv, REGISTERED)));
  assert.deepEqual(await focused(page).then((f) => [f.id, f.invalid]), ['code', 'true'], 'after a wrong code, the code field has the focus');

  // Registration's profile: a good name and a bad email — the focus goes to the email, not the first field.
  await open(page, authUrl(srv, { prompt: 'create' }));
  await enterPhone(page, '+12025550177', 'sms');
  await enterCode(page, await lastCode(srv, '+12025550177'));
  assert.equal((await focused(page)).id, 'name', 'the profile page opens with the focus in its first field');
  await page.locator('#name').fill('Kay Board');
  await page.locator('#email').fill('not-an-email');
  await press(page, page.locator('form', { has: page.locator('#email') }).locator('button[type="submit"]'));
  assert.deepEqual(await focused(page).then((f) => [f.id, f.invalid]), ['email', 'true'], 'after a bad email, the email field has the focus');
  await context.close();
});

test('a sign-in is done with the keyboard alone, and every focused control shows a focus indicator', { timeout: 90_000 }, async (t) => {
  browser ??= await launchOrSkip(t);
  if (!browser) return;
  const srv = server ??= await startServer();
  const context = await browser.newContext();
  const page = await tourPage(context);
  const unmarked: string[] = [];
  const look = async (where: string, controls: Focused[]) => {
    assert.ok(controls.length > 0, `${where}: Tab reaches controls`);
    unmarked.push(...controls.filter((c) => !c.indicator).map((c) => `${where}: ${c.what}`));
  };

  await open(page, authUrl(srv)); // typing the address is no click
  assert.equal((await focused(page)).id, 'phone', 'the phone page opens with the focus in the phone field');
  await page.keyboard.type(REGISTERED);
  await look('phone page', [await focused(page), ...await tabRound(page)]);
  await tabTo(page, 'button[type="submit"]');
  await enterKey(page);

  assert.equal((await focused(page)).id, 'code', 'the code page opens with the focus in the code field');
  await page.keyboard.type(await lastCode(srv, REGISTERED));
  await look('code page', [await focused(page), ...await tabRound(page)]);
  await tabTo(page, 'form:has(#code) button[type="submit"]');
  await enterKey(page);

  const callback = new URL(page.url());
  assert.equal(`${callback.origin}${callback.pathname}`, CLIENT.redirect_uris[0], `the relying app was reached, at ${page.url()}`);
  assert.ok(callback.searchParams.get('code'), 'with an authorization code');
  assert.deepEqual(unmarked, [], 'every control reached by Tab shows a focus indicator');
  await context.close();
});
