// The SMS-OTP step's rules over HTTP (SECURITY.md rules 2, 5, 6, 7 and their hostile inputs): wrong
// guesses, single use, binding, parallel submissions, resend cooldown and per-interaction caps.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let clock = Date.now();
before(async () => { server = await startServer({ now: () => clock }); });
after(async () => { await server.close(); });

const wrong = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');
const isAppRedirect = (location?: string) => Boolean(location?.startsWith(CLIENT.redirect_uris[0]!));

async function resend(browser: Browser, html: string) {
  const resendForm = formAction(html.slice(html.indexOf('name="resend"') - 400), '/steps/');
  return browser.go(resendForm, { form: { csrf: csrfOf(html), resend: '1' } });
}

test('rule 6: five wrong codes kill the code and say so; the page then offers only a new code or another number; the right code then fails', { timeout: 30_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  let current = page;
  for (let i = 1; i <= 4; i += 1) {
    current = await submitCode(browser, current, wrong(right));
    assert.equal(current.status, 400);
    assert.match(current.html, new RegExp(`${5 - i} ${5 - i === 1 ? 'try' : 'tries'} left`));
  }
  current = await submitCode(browser, current, wrong(right));
  assert.equal(current.status, 400);
  assert.match(current.html, /no longer works/);
  assert.doesNotMatch(current.html, /one-time-code/, 'no code box for a dead code');
  assert.match(current.html, /<button type="submit" id="resend">Send a new code<\/button>/, '"Send a new code" is the main action');
  assert.match(current.html, /Use a different number/);
  // The right code, posted to the step anyway (an old tab): the same answer, not "expired".
  const late = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), code: right } });
  assert.equal(late.status, 400);
  assert.ok(!isAppRedirect(late.location));
  assert.match(late.html, /no longer works/);
  assert.doesNotMatch(late.html, /expired or was replaced/);
});

test('hostile: replay a used code — refused, no second redirect', { timeout: 30_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  const first = await submitCode(browser, page, right);
  assert.ok(isAppRedirect(first.location));
  const replay = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), code: right } });
  assert.ok(replay.status >= 400 && replay.status < 500, `replay answered ${replay.status}`);
  assert.ok(!isAppRedirect(replay.location));
});

test("hostile: another interaction's code — refused, and the interaction's own code still works", { timeout: 30_000 }, async () => {
  const a = await toCodePage(server, REGISTERED);
  const codeA = await a.code();
  const b = await toCodePage(server, REGISTERED);
  const codeB = await b.code();
  assert.notEqual(codeA, codeB);
  const crossed = await submitCode(b.browser, b.page, codeA);
  assert.equal(crossed.status, 400);
  assert.match(crossed.html, /not right/);
  assert.ok(isAppRedirect((await submitCode(b.browser, crossed, codeB)).location));
});

test('rule 2: 50 parallel right codes → exactly one success', { timeout: 30_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  const action = formAction(page.html, '/steps/');
  const csrf = csrfOf(page.html);
  const results = await Promise.all(Array.from({ length: 50 }, () => browser.request(action, { form: { csrf, code: right } })));
  const wins = results.filter((r) => r.status === 303 && r.location?.includes('/auth/'));
  assert.equal(wins.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
  assert.ok(results.every((r) => r.status < 500));
});

test('rule 7: resend waits for the cooldown (countdown on the page), then replaces the old code', { timeout: 30_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const first = await code();
  assert.match(page.html, /ask for a new code in 60 seconds/);
  const early = await resend(browser, page.html);
  assert.equal(early.status, 429);
  assert.match(early.html, /wait before asking/);
  assert.equal(await code(), first, 'no new SMS before the cooldown');
  clock += 61_000;
  const again = await resend(browser, early.html);
  assert.equal(again.status, 200);
  const second = await code();
  assert.notEqual(second, first);
  const old = await submitCode(browser, again, first);
  assert.equal(old.status, 400, 'the replaced code no longer works');
  assert.ok(isAppRedirect((await submitCode(browser, old, second)).location));
});

test('one interaction may send at most 5 codes, then it ends with a clear page', { timeout: 30_000 }, async () => {
  const before = (await outboxLinesOf(server)).length;
  const { browser, page } = await toCodePage(server, REGISTERED);
  let current = page;
  for (let i = 0; i < 4; i += 1) {
    clock += 61_000;
    current = await resend(browser, current.html);
    assert.equal(current.status, 200);
  }
  clock += 61_000;
  const capped = await resend(browser, current.html);
  assert.equal(capped.status, 429);
  assert.match(capped.html, /Too many codes were sent/);
  assert.equal((await outboxLinesOf(server)).length - before, 5);
  const reload = await browser.go(formAction(page.html, '/steps/').replace(/\/steps\/.*$/, ''));
  assert.equal(reload.status, 429, 'the interaction stays ended');
});

test('hostile: alternate resend and guess — one interaction may make at most 10 wrong guesses in all', { timeout: 30_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  let current = page;
  for (let i = 0; i < 5; i += 1) current = await submitCode(browser, current, wrong(await code()));
  clock += 61_000;
  current = await resend(browser, current.html);
  for (let i = 0; i < 4; i += 1) current = await submitCode(browser, current, wrong(await code()));
  const last = await submitCode(browser, current, wrong(await code()));
  assert.equal(last.status, 429);
  assert.match(last.html, /Too many failed attempts/);
  const right = await browser.go(formAction(current.html, '/steps/'), { form: { csrf: csrfOf(current.html), code: await code() } });
  assert.equal(right.status, 429);
});
