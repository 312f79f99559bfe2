// The admin console in a real Chromium: sign in on /admin (phone → SMS code → back on /admin),
// copy the built-in sign-in flow and rebind it, edit the sms step's English template with the
// live preview (text and segment count update as one types), save; a normal sign-in then
// receives an SMS with the new text. Skips without Chromium, fails under CI=true.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { toCodePage } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
});

async function waitForCode(srv: TestServer, phone: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await lastCode(srv, phone);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

test('Chromium: an admin edits the sign-in SMS template with a live preview; the next sign-in gets the new text', { timeout: 120_000 }, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const srv = await startServer();
  server = srv;
  const user = (await srv.store.users.findByPhone(REGISTERED))!;
  await srv.store.users.update(user.id, { roles: ['admin'] });

  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => { problems.push(String(err)); });
  page.on('console', (msg) => {
    // Chromium asks for /favicon.ico on its own; flowgate has none.
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) problems.push(`${msg.text()} @ ${msg.location().url}`);
  });

  // Sign in: /admin → phone → code → /admin.
  await page.goto(`${srv.url}/admin`);
  const phone = page.locator('input[autocomplete="tel"]');
  await phone.fill(REGISTERED);
  await page.locator('form', { has: phone }).locator('button[type="submit"]').first().click();
  const codeInput = page.locator('input[autocomplete="one-time-code"]');
  await codeInput.waitFor({ state: 'visible' });
  await codeInput.fill(await waitForCode(srv, REGISTERED));
  await page.locator('form', { has: codeInput }).locator('button[type="submit"]').first().click();
  await page.waitForURL(`${srv.url}/admin`);
  await page.getByRole('heading', { name: 'Flows' }).waitFor();

  // Open sign-in, copy it and rebind.
  await page.getByRole('link', { name: 'sign-in', exact: true }).click();
  await page.getByRole('heading', { name: 'Flow sign-in' }).waitFor();
  await page.getByLabel('Id of the copy').fill('browser-sign-in');
  await page.getByLabel('Use it for sign-in').check();
  await page.getByRole('button', { name: 'Copy to edit' }).click();
  await page.waitForURL(`${srv.url}/admin/flows/browser-sign-in`);
  assert.match(await page.locator('main').innerText(), /bound to sign-in/);

  // The sms step's config: type a new English template, watch the preview.
  await page.getByRole('link', { name: 'Config of sms' }).click();
  await page.getByRole('heading', { name: 'Step sms of browser-sign-in' }).waitFor();
  const area = page.locator('textarea#f-templates-en');
  const measure = page.locator('#f-templates-en-preview .preview-measure');
  const before = await measure.innerText();
  assert.match(before, /^\d+ characters · 1 SMS segments \(GSM-7\)$/, 'rendered server-side');
  const text = 'Browser says {{code}} opens {{appName}} — valid {{ttlMinutes}} min.\n\n@{{host}} #{{code}}';
  await area.fill(text);
  await page.locator('#f-templates-en-preview .preview-text').filter({ hasText: 'Browser says 123456 opens' }).waitFor();
  await page.locator('#f-templates-en-preview .preview-measure').filter({ hasText: 'UCS-2' }).waitFor();
  const after = await measure.innerText();
  assert.notEqual(after, before, 'the count updates');
  assert.match(after, /^\d+ characters · \d+ SMS segments \(UCS-2\)$/);
  // An unknown variable is named live.
  await area.fill(`${text} {{user}}`);
  await page.locator('#f-templates-en-preview .preview-unknown').filter({ hasText: 'user' }).waitFor();
  await area.fill(text);
  await page.locator('#f-templates-en-preview .preview-text').filter({ hasText: 'Browser says' }).waitFor();
  await page.getByRole('button', { name: 'Save config' }).click();
  await page.waitForURL(`${srv.url}/admin/flows/browser-sign-in/steps/sms`);
  assert.equal(await area.inputValue(), text);
  assert.deepEqual(problems, [], 'no page errors (CSP included)');
  await context.close();

  // A normal sign-in now sends the new text.
  await toCodePage(srv, REGISTERED);
  const sms = (await outboxLinesOf(srv)).filter((l) => l.to === REGISTERED).at(-1)!;
  assert.match(sms.body, /^Browser says \d{6} opens flowgate — valid 5 min\./);
});
