// Property-based fuzzing of registration and reset: their phone steps, the profile form
// (name/email) and the set-password form of both flows. Every answer: no 5xx, no stack trace or
// internal path, no unescaped reflection (the profile form shows typed values back), a readable
// page or a JSON problem; the seeded users unchanged afterwards.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { switchFlow, uidOf } from '../helpers/attack.ts';
import { authUrl, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import {
  formCase, fuzzForm, hostileString, seedOf, stayWhile, Tally, type Target, type UserSnapshot,
  startFuzzServer, stopFuzzServer,
} from '../helpers/fuzz.ts';
import { REGISTERED, type TestServer } from '../helpers/server.ts';

const SEED = seedOf('fuzz-register-reset', 20261211);
const TIMEOUT = { timeout: 240_000 };
const WITH_PASSWORD = '+12025550150';
let fresh = 0;
/** A number no case has used yet (registrations that complete take theirs). */
const freshNumber = () => `+1202555${String(1000 + (fresh++ % 8000)).padStart(4, '0')}`;

let server: TestServer;
let seeded: UserSnapshot[];
before(async () => {
  ({ server, seeded } = await startFuzzServer({
    users: [{ phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' }, { phone: WITH_PASSWORD, name: 'Pat Password' }],
  }, WITH_PASSWORD));
});
after(() => stopFuzzServer(server, seeded));

const isPhonePage = (p: Page) => p.html.includes('autocomplete="tel"');
const isProfilePage = (p: Page) => p.html.includes('autocomplete="name"');
const isNewPasswordPage = (p: Page) => p.html.includes('autocomplete="new-password"');
const phones = fc.constantFrom(REGISTERED, WITH_PASSWORD, '+12025550199', '+1 (202) 555-0100', '１２０２５５５０１００', '+4915112345678', '+19005550100', '+1202555010');
const thens = fc.constantFrom('sms', 'password', '');
const target = (browser: Browser, page: Page, uid = uidOf(page)): Target => ({ browser, url: formAction(page.html, '/steps/'), csrf: csrfOf(page.html), uid });

async function registerPhonePage() {
  const browser = new Browser(server.url);
  const page = await browser.go(authUrl(server, { prompt: 'create' }));
  assert.ok(isPhonePage(page) && /Create/i.test(page.html), `the registration phone page: ${page.status}`);
  return { browser, page };
}

async function resetPhonePage() {
  const browser = new Browser(server.url);
  const start = await browser.go(authUrl(server));
  const page = await switchFlow(browser, start, 'reset-credentials');
  assert.ok(isPhonePage(page), `the reset phone page: ${page.status}`);
  return { browser, page };
}

async function toProfile(): Promise<{ browser: Browser; page: Page; uid: string }> {
  const phone = freshNumber();
  const { browser, page: phonePage } = await registerPhonePage();
  const codePage = await submitPhone(browser, phonePage, phone, 'sms');
  const page = await submitCode(browser, codePage, await lastCode(server, phone));
  assert.ok(isProfilePage(page), `the profile page: ${page.status} ${page.html.slice(0, 300)}`);
  return { browser, page, uid: uidOf(phonePage) };
}

const passwords = fc.constantFrom('lantern-violet-harbour', 'short', 'iloveyou', 'password1', 'x2025550150x', 'Ada Example 123', 'ｌａｎｔｅｒｎ－ｖｉｏｌｅｔ', 'p'.repeat(200));
/** Password and confirmation: the same value a third of the time, so that some cases pass the rules. */
const setPasswordCase = fc.record({ c: formCase({ password: passwords, confirm: passwords, skip: fc.constantFrom('1', '0', '') }), same: fc.integer({ min: 0, max: 2 }) })
  .map(({ c, same }) => (same === 0 && c.fields.password !== undefined ? { ...c, fields: { ...c.fields, confirm: c.fields.password } } : c));

test('fuzz: the registration phone step', TIMEOUT, async () => {
  const tally = new Tally('register phone step (phone, then)');
  await fuzzForm({
    tally, seed: SEED,
    arb: formCase({ phone: phones, then: thens }),
    prepare: async () => { const { browser, page } = await registerPhonePage(); return target(browser, page); },
    next: stayWhile(tally, isPhonePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the reset phone step', TIMEOUT, async () => {
  const tally = new Tally('reset phone step (phone)');
  await fuzzForm({
    tally, seed: SEED + 1,
    arb: formCase({ phone: phones, then: thens }),
    prepare: async () => { const { browser, page } = await resetPhonePage(); return target(browser, page); },
    next: stayWhile(tally, isPhonePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the profile form (name, email)', TIMEOUT, async () => {
  const tally = new Tally('register profile (name, email)');
  const names = fc.constantFrom('Ada Example', '<script>alert(1)</script>', 'x'.repeat(101), ' ', 'Bidi\u202Ename', 'Zero\u200Bwidth', 'A\u0000B');
  const emails = fc.constantFrom('ada@example.com', 'not-an-email', '"><img src=x onerror=alert(1)>@example.com', 'a@b', `${'a'.repeat(250)}@example.com`, 'ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ');
  await fuzzForm({
    tally, seed: SEED + 2,
    arb: formCase({ name: names, email: emails }, { validCsrf: 6 }),
    prepare: async () => { const { browser, page, uid } = await toProfile(); return target(browser, page, uid); },
    next: stayWhile(tally, isProfilePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the set-password form of registration (password, confirm, skip)', TIMEOUT, async () => {
  const tally = new Tally('register set-password (password, confirm, skip)');
  await fuzzForm({
    tally, seed: SEED + 3,
    arb: setPasswordCase,
    prepare: async () => {
      const { browser, page, uid } = await toProfile();
      const pw = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), name: 'Fuzz Person' } });
      assert.ok(isNewPasswordPage(pw), `the set-password page: ${pw.status}`);
      return target(browser, pw, uid);
    },
    next: stayWhile(tally, isNewPasswordPage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the set-password form of reset (password, confirm)', TIMEOUT, async () => {
  const tally = new Tally('reset set-password (password, confirm)');
  // Resets of numbers with no account and of accounts made for this test (never the seeded users).
  const own = await Promise.all(['+12025559001', '+12025559002', '+12025559003'].map((phone) => server.store.users.create({ phone, phoneVerified: true, name: 'Reset Me' })));
  let i = 0;
  await fuzzForm({
    tally, seed: SEED + 4,
    arb: setPasswordCase,
    prepare: async () => {
      const phone = i % 2 ? own[(i >> 1) % own.length]!.phone : freshNumber();
      i += 1;
      const { browser, page: phonePage } = await resetPhonePage();
      const codePage = await submitPhone(browser, phonePage, phone);
      const pw = await submitCode(browser, codePage, await lastCode(server, phone));
      assert.ok(isNewPasswordPage(pw), `the new-password page: ${pw.status} ${pw.html.slice(0, 300)}`);
      return target(browser, pw, uidOf(phonePage));
    },
    next: stayWhile(tally, isNewPasswordPage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: arbitrary strings never hide in the registration pages unescaped', TIMEOUT, async () => {
  // One more angle on reflection: every hostile string as the name, with a valid token, is either
  // refused on a page that shows it escaped, or accepted and shown nowhere.
  const tally = new Tally('register profile (name only, valid token)');
  await fuzzForm({
    tally, seed: SEED + 5, runs: 300,
    arb: formCase({ name: hostileString }, { validCsrf: 1_000_000 }),
    prepare: async () => { const { browser, page, uid } = await toProfile(); return target(browser, page, uid); },
    next: stayWhile(tally, isProfilePage),
  });
  assert.equal(tally.fiveXx, 0);
});
