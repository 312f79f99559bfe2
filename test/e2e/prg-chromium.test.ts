// Post/Redirect/Get in a real Chromium: every step page is the answer to a GET, so Back, Forward
// and reload never resubmit a form (no "Confirm Form Resubmission") and never spend an attempt.
// And the code page learns of a failed send without a reload (public/app.js polls /sms-status).
import assert from 'node:assert/strict';
import { after, test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { authUrl } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type StartOptions, type TestServer } from '../helpers/server.ts';
import { SmsError, type SmsConnector } from '../../src/sms/types.ts';

let browser: Browser | undefined;
const servers: TestServer[] = [];
after(async () => {
  await browser?.close().catch(() => {});
  for (const s of servers) await s.close();
});

/** Methods of the top-level document requests the page makes while `run` runs. */
async function documentMethods(page: Page, run: () => Promise<unknown>): Promise<string[]> {
  const methods: string[] = [];
  const listener = (req: { isNavigationRequest(): boolean; frame(): unknown; method(): string }) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) methods.push(req.method());
  };
  page.on('request', listener);
  try {
    await run();
  } finally {
    page.off('request', listener);
  }
  return methods;
}

/** A new server and tab on its phone page with the registered number typed; undefined when Chromium is missing (skipped). */
async function phonePageTyped(t: TestContext, opts: StartOptions = {}): Promise<{ server: TestServer; page: Page } | undefined> {
  browser ??= await launchOrSkip(t);
  if (!browser) return undefined;
  const server = await startServer(opts);
  servers.push(server);
  const page = await browser.newPage();
  await page.goto(authUrl(server));
  await page.fill('#phone', '+1 202 555 0100');
  return { server, page };
}

const wrong = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

test('Back, Forward and reload on the phone and code pages never resubmit and never spend an attempt', { timeout: 90_000 }, async (t) => {
  const opened = await phonePageTyped(t);
  if (!opened) return;
  const { server, page } = opened;
  const phonePost = await documentMethods(page, async () => {
    await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.getByRole('button', { name: /Code by SMS/ }).click()]);
  });
  assert.deepEqual(phonePost, ['POST', 'GET'], 'the phone POST is answered by a redirect to a GET');
  await page.waitForSelector('#code');
  const right = await lastCode(server, REGISTERED);
  const sent = () => server.store.otp.counters(new URL(page.url()).pathname.split('/')[2]!);
  const sendsBefore = (await sent()).sends;

  await page.fill('#code', wrong(right));
  await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.click('button[type=submit]:has-text("Continue")')]);
  assert.match(await page.textContent('#code-error') ?? '', /4 tries left/);
  const afterOne = await sent();
  assert.equal(afterOne.failures, 1);

  // Reload, Back, Forward, reload: only GETs, no prompt, the counters stay.
  const moves = await documentMethods(page, async () => {
    await page.reload();
    await page.goBack();
    await page.goForward();
    await page.reload();
  });
  assert.ok(moves.length >= 3 && moves.every((m) => m === 'GET'), `only GETs: ${moves.join(', ')}`);
  assert.deepEqual(await sent(), { ...afterOne }, 'no attempt spent and no code sent by moving through history');
  assert.equal((await sent()).sends, sendsBefore);
  await page.waitForSelector('#code');
  assert.equal(await page.$('#code-error'), null, 'a reload shows the step afresh (the error was for one showing)');

  // The next wrong code is the second: the moves spent nothing.
  await page.fill('#code', wrong(right));
  await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.click('button[type=submit]:has-text("Continue")')]);
  assert.match(await page.textContent('#code-error') ?? '', /3 tries left/);
  await page.close();
});

test('when the SMS cannot be sent, the code page says so without a reload and offers a new code at once', { timeout: 90_000 }, async (t) => {
  browser ??= await launchOrSkip(t);
  if (!browser) return;
  // Every provider of the chain is down (a phone network outage is the one thing a test fakes).
  const down: SmsConnector = { id: 'down', send: async () => { throw new SmsError('unavailable', 'connection refused'); } };
  const server = await startServer({ connectors: [down], config: { sms: { connectors: [{ type: 'console' }], delivery: { retries: 0, backoffMs: 10 } } } });
  servers.push(server);
  const page = await browser.newPage();
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()); });
  await page.goto(authUrl(server));
  await page.fill('#phone', '+1 202 555 0100');
  await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.getByRole('button', { name: /Code by SMS/ }).click()]);
  await page.waitForSelector('#send-status');
  const loaded = navigations.length;
  await page.waitForFunction(() => document.getElementById('send-status')?.className === 'error', undefined, { timeout: 30_000 });
  assert.match(await page.textContent('#send-status') ?? '', /could not send the text message/);
  assert.equal(await page.getAttribute('#send-status', 'role'), 'alert');
  assert.equal(navigations.length, loaded, 'no reload: the page changed in place');
  assert.equal(await page.isDisabled('#resend'), false, 'a new code may be asked for at once');
  await page.close();
});

test('the password page: a wrong password, then reload, Back and Forward are GETs only and count no second failure', { timeout: 90_000 }, async (t) => {
  const opened = await phonePageTyped(t);
  if (!opened) return;
  const { server, page } = opened;
  await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.getByRole('button', { name: /Password/ }).click()]);
  await page.fill('#password', 'not-the-password-1');
  const post = await documentMethods(page, async () => {
    await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.press('#password', 'Enter')]);
  });
  assert.deepEqual(post, ['POST', 'GET']);
  assert.ok(await page.$('#password-error'), 'the refusal is shown once');
  const moves = await documentMethods(page, async () => {
    await page.reload();
    await page.goBack();
    await page.goForward();
  });
  assert.ok(moves.length >= 2 && moves.every((m) => m === 'GET'), `only GETs: ${moves.join(', ')}`);
  await page.waitForSelector('#password');
  assert.equal(await page.$('#password-error'), null, 'a reload shows the password page afresh, not a second refusal');
  await page.close();
});
