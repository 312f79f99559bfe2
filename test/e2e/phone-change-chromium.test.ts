// In a real Chromium (playwright-core): sign in to /account, change the phone number (code to the
// old number, code to the new one), see the new number on the account page; the outbox holds the
// three messages with their usages; the new number signs in to the account, the old one no longer.
import { shown } from '../helpers/phone.ts';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LAUNCH_ARGS } from '../helpers/chromium.ts';
import { chromium, type Browser, type Page } from 'playwright-core';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const NEW_PHONE = '+12025550144';

let server: TestServer | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
});

async function enterPhone(page: Page, phone: string) {
  const input = page.locator('input[autocomplete="tel"]');
  await input.fill(phone);
  await page.locator('form', { has: input }).locator('button[type="submit"]').first().click();
}

async function enterCode(srv: TestServer, page: Page, phone: string) {
  const input = page.locator('input[autocomplete="one-time-code"]');
  await input.waitFor({ state: 'visible' });
  await page.waitForLoadState('load');
  await input.fill(await lastCode(srv, phone));
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('form', { has: input }).locator('button[type="submit"]').click()]);
}

/** Signs in to /account from a fresh context; returns the account page. */
async function signInToAccount(srv: TestServer, b: Browser, phone: string): Promise<Page> {
  const page = await (await b.newContext()).newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${srv.url}/account`, { waitUntil: 'load' });
  await enterPhone(page, phone);
  await enterCode(srv, page, phone);
  return page;
}

test('Chromium changes the phone number on the account page', { timeout: 120_000 }, async () => {
  const srv = await startServer();
  server = srv;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  const page = await signInToAccount(srv, browser, REGISTERED);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => { pageErrors.push(String(err)); });
  assert.equal(new URL(page.url()).pathname, '/account');
  assert.equal(await page.locator('#account-name').textContent(), 'Ada Example');
  assert.equal(await page.locator('#account-phone').textContent(), shown(REGISTERED));
  const before = (await outboxLinesOf(srv)).length;

  await page.getByRole('button', { name: 'Change phone number' }).click();
  await page.getByRole('button', { name: 'Code by SMS' }).click(); // nothing is sent before this choice
  await page.getByText('first confirm that it is you').waitFor();
  await enterCode(srv, page, REGISTERED);
  await page.getByRole('heading', { name: 'Your new phone number' }).waitFor();
  await enterPhone(page, NEW_PHONE);
  await page.getByRole('heading', { name: 'Confirm your new number' }).waitFor();
  await enterCode(srv, page, NEW_PHONE);

  await page.waitForURL((u) => u.pathname === '/account');
  await page.getByText('Phone number changed').waitFor();
  assert.equal(await page.locator('#account-phone').textContent(), shown(NEW_PHONE));
  const sent = (await outboxLinesOf(srv)).slice(before).map((l) => ({ to: l.to, usage: l.usage, code: /#\d+\s*$/.test(l.body) }));
  assert.deepEqual(sent, [
    { to: REGISTERED, usage: 'sign-in', code: true },
    { to: NEW_PHONE, usage: 'phone-change', code: true },
    { to: REGISTERED, usage: 'phone-changed', code: false },
  ]);
  assert.deepEqual(pageErrors, []);
  await page.reload({ waitUntil: 'load' });
  assert.equal(await page.getByText('Phone number changed').count(), 0, 'the notice shows once');

  // The new number signs in to the same account; the old number is no account any more.
  const again = await signInToAccount(srv, browser, NEW_PHONE);
  assert.equal(await again.locator('#account-name').textContent(), 'Ada Example');
  assert.equal(await again.locator('#account-phone').textContent(), shown(NEW_PHONE));
  const old = await (await browser.newContext()).newPage();
  await old.goto(`${srv.url}/account`, { waitUntil: 'load' });
  await enterPhone(old, REGISTERED);
  await enterCode(srv, old, REGISTERED);
  assert.notEqual(new URL(old.url()).pathname, '/account', 'the old number does not reach the account page');
  assert.equal(await old.locator('#account-phone').count(), 0);
  assert.equal(await srv.store.users.findByPhone(REGISTERED), undefined);
});
