// SECURITY.md rules 1, 3, 4 and 5 over real HTTP (real SQLite, outbox connector, the server's
// injected clock): a code's shape and lifetime, its binding to interaction, number and purpose,
// its storage (hashed, never in clear in the database or the log), and what a resend does.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, mock, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { freshPhoneSubmit, post, switchFlow } from '../helpers/attack.ts';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl, submitCode, submitPhone, toCodePage } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let clock = Date.parse('2026-12-01T09:00:00Z');
const now = () => clock;
let logged = '';
const sink = new Writable({ write(chunk, _enc, done) { logged += String(chunk); done(); } });

let server: TestServer;
before(async () => {
  server = await startServer({ now, log: createLogger('debug', sink) });
  // Accounts for the numbers the tests sign in with (so a proven code ends at the app).
  for (let n = 131; n <= 137; n += 1) await server.store.users.create({ phone: `+12025550${n}`, phoneVerified: true });
});
after(async () => { await server.close(); });

const wrong = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');
const isApp = (page: Page) => Boolean(page.location?.startsWith(CLIENT.redirect_uris[0]!));
/** `code` as a whole token (not inside a longer run of digits). */
const token = (code: string) => new RegExp(`(?<![0-9])${code}(?![0-9])`);

async function resend(browser: Browser, page: Page): Promise<Page> {
  return browser.go(formAction(page.html.slice(page.html.indexOf('name="resend"') - 400), '/steps/'), { form: { csrf: csrfOf(page.html), resend: '1' } });
}

test('rule 1: codes are 6 digits drawn with crypto.randomInt and die after their 300 s (≤ 10 min)', { timeout: 30_000 }, async () => {
  // The digits come from crypto.randomInt: with it pinned, the code is exactly what it returned.
  const pinned = mock.method(crypto, 'randomInt', () => 7);
  syncBuiltinESMExports();
  let code: string;
  try {
    const { code: c } = await toCodePage(server, REGISTERED);
    code = await c();
    assert.ok(pinned.mock.callCount() >= 6, `randomInt drew the digits (${pinned.mock.callCount()} calls)`);
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
  assert.equal(code, '777777', 'every digit is one crypto.randomInt draw');

  const fresh = await toCodePage(server, REGISTERED);
  const right = await fresh.code();
  assert.match(right, /^[0-9]{6}$/, 'six digits');
  assert.match(fresh.page.html, /expires in 5 minutes/, 'the page tells the lifetime');
  clock += 300_000 + 1;
  const late = await submitCode(fresh.browser, fresh.page, right);
  assert.equal(late.status, 400);
  assert.match(late.html, /This code has expired or was replaced/);
  assert.ok(!isApp(late), 'an expired code never signs in');

  const inTime = await toCodePage(server, REGISTERED);
  clock += 299_000;
  assert.ok(isApp(await submitCode(inTime.browser, inTime.page, await inTime.code())), 'a code still in its 300 s works');
});

test('rule 1: a flow asking for codes shorter than 6 digits or valid over 10 minutes is refused at start-up', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-rule1-'));
  try {
    for (const [key, value, field] of [['codeLength', '5', /codeLength/], ['ttlSeconds', '601', /ttlSeconds/]] as const) {
      cpSync('flows', dir, { recursive: true });
      const signIn = readFileSync(join(dir, 'sign-in.yaml'), 'utf8');
      const changed = signIn.replace(new RegExp(`${key}: \\d+`), `${key}: ${value}`);
      assert.notEqual(changed, signIn, `the shipped sign-in flow sets ${key}`);
      writeFileSync(join(dir, 'sign-in.yaml'), changed);
      await assert.rejects(startServer({ config: { flowsDir: dir } }), (err: Error) => field.test(err.message) && /sign-in\.yaml/.test(err.message));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rule 3: a reset code does not work in sign-in and a sign-in code does not work in reset, in the same interaction for the same number', { timeout: 30_000 }, async () => {
  const phone = '+12025550131';
  const { browser, page: signInPage } = await freshPhoneSubmit(server, phone);
  const signInCode = await lastCode(server, phone);
  const resetPhone = await switchFlow(browser, signInPage, 'reset-credentials');
  const resetPage = await post(browser, resetPhone, '/steps/', { phone });
  assert.match(resetPage.html, /one-time-code/, 'the reset code page');
  const lines = (await outboxLinesOf(server)).filter((l) => l.to === phone);
  assert.deepEqual(lines.map((l) => l.usage), ['sign-in', 'reset']);
  const resetCode = await lastCode(server, phone);
  assert.notEqual(resetCode, signInCode);

  const crossed = await post(browser, resetPage, '/steps/', { code: signInCode });
  assert.equal(crossed.status, 400, 'the sign-in code is refused by the reset step');
  assert.match(crossed.html, /not right/);
  assert.doesNotMatch(crossed.html, /new-password/);

  const back = await switchFlow(browser, crossed, 'sign-in');
  const signInAgain = await post(browser, back, '/steps/', { phone, then: 'sms' });
  assert.match(signInAgain.html, /one-time-code/);
  const crossedBack = await post(browser, signInAgain, '/steps/', { code: resetCode });
  assert.equal(crossedBack.status, 400, 'the reset code is refused by sign-in');
  assert.ok(!isApp(crossedBack));
});

test('rule 3: a code sent to one number does not prove another number in the same interaction', { timeout: 30_000 }, async () => {
  const first = '+12025550132';
  const second = '+12025550133';
  const { browser, page } = await freshPhoneSubmit(server, first);
  const firstCode = await lastCode(server, first);
  const phonePage = await browser.go(formAction(page.html, '/restart'), { form: { csrf: csrfOf(page.html) } });
  const secondPage = await submitPhone(browser, phonePage, second);
  assert.match(secondPage.html, /one-time-code/);
  const refused = await submitCode(browser, secondPage, firstCode);
  assert.equal(refused.status, 400);
  assert.ok(!isApp(refused), 'the first number\'s code does not prove the second');
  assert.ok(isApp(await submitCode(browser, refused, await lastCode(server, second))));
});

test('rule 4: codes are stored as an HMAC, compared with timingSafeEqual, and in clear neither in the database files nor in the log', { timeout: 30_000 }, async () => {
  const codes: string[] = [];
  for (const phone of ['+12025550134', '+12025550135', '+12025550136']) {
    const { browser, page, code } = await toCodePage(server, phone);
    const right = await code();
    codes.push(right);
    if (phone.endsWith('4')) {
      // The comparison goes through crypto.timingSafeEqual.
      const compare = mock.method(crypto, 'timingSafeEqual');
      syncBuiltinESMExports();
      try {
        await submitCode(browser, page, wrong(right));
        assert.ok(compare.mock.callCount() >= 1, 'the code was compared with timingSafeEqual');
      } finally {
        mock.restoreAll();
        syncBuiltinESMExports();
      }
    } else if (phone.endsWith('5')) {
      assert.ok(isApp(await submitCode(browser, page, right))); // consumed
    } // the third stays pending
  }
  await server.flowgate.drainSms();
  const files = readdirSync(server.dir).filter((f) => f.startsWith('flowgate.db'));
  assert.ok(files.includes('flowgate.db'), `database files: ${files.join(', ')}`);
  for (const file of files) {
    const bytes = readFileSync(join(server.dir, file)).toString('latin1');
    for (const code of codes) assert.doesNotMatch(bytes, token(code), `${file} holds no code in clear`);
    // The flow documents in the store hold the template ("{{code}} is your … sign-in code"), never a rendered body.
    assert.doesNotMatch(bytes, /\d is your \S+ sign-in code/, `${file} holds no message body`);
  }
  assert.match(logged, /sms sent/, 'the log was written at debug level');
  for (const code of codes) assert.doesNotMatch(logged, token(code), 'no code in the log');
});

test('rule 5: a resend invalidates the previous code, and neither a resend nor a new interaction resets the failure count', { timeout: 30_000 }, async () => {
  const phone = '+12025550137';
  const failures = async () => (await server.store.guard.failures([`proof:phone:${phone}`])).failures;
  const { browser, page, code } = await toCodePage(server, phone);
  assert.match(page.html, /A new code replaces the old one/, 'the page says which rule holds');
  const first = await code();
  let current = page;
  for (let i = 0; i < 3; i += 1) current = await submitCode(browser, current, wrong(first));
  assert.equal(await failures(), 3);
  clock += 61_000;
  current = await resend(browser, current);
  assert.equal(current.status, 200);
  const second = await code();
  assert.notEqual(second, first);
  assert.equal(await failures(), 3, 'the resend kept the failures');
  current = await submitCode(browser, current, first);
  assert.equal(current.status, 400, 'the previous code is dead');
  assert.match(current.html, /not right/);
  assert.equal(await failures(), 4, 'and trying it counts');

  const other = await toCodePage(server, phone);
  assert.equal(await failures(), 4, 'a new interaction\'s send kept them too');
  assert.ok(isApp(await submitCode(other.browser, other.page, await other.code())), 'the newest code works');
  assert.equal(await failures(), 0, 'a success starts the count over');
});
