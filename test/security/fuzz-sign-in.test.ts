// Property-based fuzzing of the sign-in pages: the phone step (with its `then` choice), the
// alternatives (POST /choose), the code step (code and resend), the password step, restart and
// flow switches. Every answer: no 5xx, no stack trace or internal path, no unescaped reflection,
// a readable page or a JSON problem; the seeded users unchanged afterwards.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { uidOf } from '../helpers/attack.ts';
import { openPhonePage, submitPhone } from '../helpers/login.ts';
import {
  buildRequest, cookieHeader, formCase, fuzz, sendCase, fuzzForm, hostileString, seedOf, stayWhile, Tally, withSegment,
  type Target, type UserSnapshot, pathSegment,
  startFuzzServer, stopFuzzServer,
} from '../helpers/fuzz.ts';
import { REGISTERED, type TestServer } from '../helpers/server.ts';

const SEED = seedOf('fuzz-sign-in', 20261201);
const TIMEOUT = { timeout: 240_000 };
const WITH_PASSWORD = '+12025550150';
/** Numbers the cases' interactions rotate through, so that per-number lockouts spread out. */
const POOL = Array.from({ length: 40 }, (_, i) => `+120255502${String(i).padStart(2, '0')}`);
let pool = 0;
const nextNumber = () => POOL[pool++ % POOL.length]!;

let server: TestServer;
let seeded: UserSnapshot[];
before(async () => {
  ({ server, seeded } = await startFuzzServer({
    users: [{ phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' }, { phone: WITH_PASSWORD, name: 'Pat Password' }],
  }, WITH_PASSWORD));
});
after(() => stopFuzzServer(server, seeded));

const isPhonePage = (p: Page) => p.html.includes('autocomplete="tel"');
const isCodePage = (p: Page) => p.html.includes('autocomplete="one-time-code"');
const isPasswordPage = (p: Page) => p.html.includes('autocomplete="current-password"');
const phones = fc.constantFrom(REGISTERED, WITH_PASSWORD, '+12025550199', '+1 (202) 555-0100', '１２０２５５５０１００', '2025550100', '+4915112345678', '+19005550100', '+1202555010', '+12025550100\u0000', '+1202\u200B5550100');
const thens = fc.constantFrom('sms', 'password', 'prove', 'identify', 'sms-otp', '');

async function phoneTarget(): Promise<Target> {
  const { browser, page } = await openPhonePage(server);
  return { browser, url: formAction(page.html, '/steps/'), csrf: csrfOf(page.html), uid: uidOf(page) };
}

async function stepTarget(phone: string, then: string, at: (p: Page) => boolean): Promise<Target> {
  const { browser, page } = await openPhonePage(server);
  const step = await submitPhone(browser, page, phone, then);
  assert.ok(at(step), `expected the ${then} step, got ${step.status}: ${step.html.slice(0, 300)}`);
  return { browser, url: formAction(step.html, '/steps/'), csrf: csrfOf(step.html), uid: uidOf(page) };
}

const segment = fc.option(fc.oneof(hostileString, fc.constantFrom('identify', 'sms', 'password', 'prove', 'nope')), { nil: undefined, freq: 8 });

test('fuzz: the sign-in phone step and its `then` choice', TIMEOUT, async () => {
  const tally = new Tally('sign-in phone step (phone, then)');
  await fuzzForm({
    tally, seed: SEED,
    arb: fc.record({ c: formCase({ phone: phones, then: thens }), segment }).map(({ c, segment: s }) => ({ ...c, segment: s })),
    prepare: phoneTarget,
    url: (t, c) => withSegment(t.url, c.segment),
    next: stayWhile(tally, isPhonePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the code step (code and resend)', TIMEOUT, async () => {
  const tally = new Tally('sign-in code step (code, resend)');
  const codes = fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fc.constantFrom('１２３４５６', '12345', '1234567', ' 123456 ', '12 34 56', 'ABCDEF'));
  await fuzzForm({
    tally, seed: SEED + 1,
    arb: fc.record({ c: formCase({ code: codes, resend: fc.constantFrom('1', '0', 'true', '') }), segment }).map(({ c, segment: s }) => ({ ...c, segment: s })),
    prepare: () => stepTarget(nextNumber(), 'sms', isCodePage),
    url: (t, c) => withSegment(t.url, c.segment),
    next: stayWhile(tally, isCodePage),
    casesPerTarget: 20, // a fresh code while the old one still takes guesses
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the password step', TIMEOUT, async () => {
  const tally = new Tally('sign-in password step');
  const numbers = [WITH_PASSWORD, ...POOL.slice(0, 9)];
  let i = 0;
  await fuzzForm({
    tally, seed: SEED + 2,
    arb: formCase({ password: fc.constantFrom('correct-horse-battery-stapl', 'Correct-horse-battery-staple', 'correct-horse-battery-staple\u0000', 'ｃｏｒｒｅｃｔ', '') }),
    prepare: () => stepTarget(numbers[i++ % numbers.length]!, 'password', isPasswordPage),
    next: stayWhile(tally, isPasswordPage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the alternatives (POST /choose)', TIMEOUT, async () => {
  const tally = new Tally('sign-in choose (step)');
  await fuzzForm({
    tally, seed: SEED + 3,
    arb: formCase({ step: fc.constantFrom('password', 'sms', 'prove', 'identify', 'new-number', '__proto__') }),
    prepare: () => stepTarget(nextNumber(), 'sms', isCodePage),
    url: (t) => `${server.url}/interaction/${t.uid}/choose`,
    next: stayWhile(tally, (p) => p.html.includes('/choose"')),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: restart', TIMEOUT, async () => {
  const tally = new Tally('restart');
  await fuzzForm({
    tally, seed: SEED + 4,
    arb: formCase({}),
    prepare: () => stepTarget(nextNumber(), 'sms', isCodePage),
    url: (t) => `${server.url}/interaction/${t.uid}/restart`,
    next: stayWhile(tally, (p) => isPhonePage(p) || isCodePage(p)),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: flow switches (POST /flow/:flowId)', TIMEOUT, async () => {
  const tally = new Tally('flow switch (flowId)');
  const flowIds = fc.oneof(fc.constantFrom('register', 'reset-credentials', 'sign-in', 'sign-in-2fa', 'change-phone', 'admin', '__proto__', 'constructor', '..', '%2e%2e'), hostileString);
  await fuzzForm({
    tally, seed: SEED + 5,
    arb: fc.record({ c: formCase({}), flowId: flowIds }).map(({ c, flowId }) => ({ ...c, flowId })),
    prepare: phoneTarget,
    url: (t, c) => `${server.url}/interaction/${t.uid}/flow/${pathSegment(c.flowId)}`,
    next: stayWhile(tally, (p) => /name="csrf"/.test(p.html)),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: interaction paths and cookies (unknown, foreign and tampered interactions)', TIMEOUT, async () => {
  const tally = new Tally('interaction paths and cookies');
  const { browser: owner, page } = await openPhonePage(server);
  const uid = uidOf(page);
  const real = Object.fromEntries(owner.cookies.map((c) => [c.name, c.value]));
  const arb = fc.record({
    uid: fc.oneof(fc.constant(uid), fc.constantFrom('not-a-real-uid', 'a'.repeat(64), 'a'.repeat(65), '..', '%2e%2e%2f'), hostileString),
    sub: fc.oneof(fc.constantFrom('', '/steps/identify', '/steps/sms', '/choose', '/restart', '/flow/register', '/flow/reset-credentials', '/consent', '/steps/', '/'), hostileString.map((h) => `/${pathSegment(h)}`)),
    method: fc.constantFrom('GET', 'POST', 'POST'),
    cookie: cookieHeader(real, ['_interaction', '_interaction.sig', '_session', '_session.sig', '_interaction_resume']),
    c: formCase({ phone: phones, then: thens }),
  });
  await fuzz(tally, SEED + 6, arb, async ({ uid: u, sub, method, cookie, c }) => {
    const req = buildRequest(c, csrfOf(page.html));
    const url = `${server.url}/interaction/${u === uid ? u : pathSegment(u)}${sub}`;
    const headers = { ...req.headers, ...(cookie ? { cookie } : {}) };
    await sendCase(new Browser(server.url), url, method === 'GET' ? { method: 'GET', headers, inputs: req.inputs } : { ...req, headers }, tally, tally.form);
  });
  assert.equal(tally.fiveXx, 0);
});
