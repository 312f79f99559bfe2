// Property-based fuzzing of the signed-in pages: the /account page's form and callback, the
// change-phone flow's re-authentication choice and new-number form, and the account page with
// tampered cookies (the consent and logout forms: fuzz-consent-logout.test.ts). Every answer: no 5xx,
// no stack trace or internal path, no unescaped reflection, a readable page or a JSON problem;
// the seeded users unchanged afterwards (no case completes a phone change).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { chooseWay, isChoosePage, isCodePage, proveByCode, signInToAccount, startChange, uidOf } from '../helpers/account.ts';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import {
  buildRequest, checkAnswer, cookieHeader, formCase, fuzz, fuzzForm, hostileString, queryCase, seedOf, sendCase, stayWhile, Tally,
  type Target, type UserSnapshot,
  startFuzzServer, stopFuzzServer,
} from '../helpers/fuzz.ts';
import { CLIENT, REGISTERED, type TestServer } from '../helpers/server.ts';

const SEED = seedOf('fuzz-account', 20261221);
const TIMEOUT = { timeout: 240_000 };
const TAKEN = '+12025550177';

let server: TestServer;
let seeded: UserSnapshot[];
before(async () => {
  ({ server, seeded } = await startFuzzServer({
    clients: [CLIENT],
    users: [{ phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' }, { phone: TAKEN, name: 'Other Person' }],
  }));
});
after(() => stopFuzzServer(server, seeded));

const isAccountPage = (p: Page) => p.status === 200 && p.html.includes('id="account-phone"');
const isNewNumberPage = (p: Page) => p.html.includes('autocomplete="tel"') && /Your new phone number/.test(p.html);
const phones = fc.constantFrom(REGISTERED, TAKEN, '+12025550166', '+1 (202) 555-0166', '１２０２５５５０１６６', '+4915112345678', '+19005550100', '+1202555016');

let account: { browser: Browser; account: Page } | undefined;
async function accountPage() {
  if (account) {
    const page = await account.browser.request('/account');
    if (isAccountPage(page)) return { browser: account.browser, account: page };
  }
  account = await signInToAccount(server, REGISTERED);
  return account;
}

test('fuzz: the account page form (POST /account/change-phone)', TIMEOUT, async () => {
  const tally = new Tally('account change-phone button');
  await fuzzForm({
    tally, seed: SEED,
    arb: formCase({}),
    prepare: async () => { const { browser, account: page } = await accountPage(); return { browser, url: `${server.url}/account/change-phone`, csrf: csrfOf(page.html) }; },
    next: async (t) => {
      const page = await t.browser.request('/account');
      tally.count(page);
      checkAnswer(page, [], 'account page (reload)');
      return isAccountPage(page) ? { ...t, csrf: csrfOf(page.html) } : undefined;
    },
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the account sign-in callback (GET /account/callback)', TIMEOUT, async () => {
  const tally = new Tally('account callback (query)');
  const arb = fc.record({
    q: queryCase({ code: hostileString, state: hostileString, iss: fc.constantFrom(server.url, 'https://evil.example'), error: fc.constantFrom('access_denied', 'login_required'), error_description: hostileString }),
    pending: fc.boolean(),
  });
  await fuzz(tally, SEED + 1, arb, async ({ q, pending }) => {
    const browser = new Browser(server.url);
    if (pending) await browser.request('/account'); // sets the pending-login cookie (state, nonce, verifier)
    await sendCase(browser, `${server.url}/account/callback?${q.query}`, { method: 'GET', headers: { accept: q.accept }, inputs: q.inputs }, tally, tally.form);
  });
  assert.equal(tally.fiveXx, 0);
});

async function reauthChoice(): Promise<Target> {
  const { browser, account: page } = await accountPage();
  const choose = await browser.go(formAction(page.html, '/account/change-phone'), { form: { csrf: csrfOf(page.html) } });
  assert.ok(isChoosePage(choose), `the re-authentication choice: ${choose.status}`);
  return { browser, url: formAction(choose.html, '/choose'), csrf: csrfOf(choose.html), uid: /action="\/interaction\/([^/"]+)\/choose"/.exec(choose.html)![1]! };
}

test('fuzz: the change-phone re-authentication choice (POST /choose)', TIMEOUT, async () => {
  const tally = new Tally('change-phone choose (step)');
  await fuzzForm({
    tally, seed: SEED + 2,
    arb: formCase({ step: fc.constantFrom('current-sms', 'password', 'reauth', 'new-number', 'new-number-sms', 'notify-old', 'sms') }),
    prepare: reauthChoice,
    next: stayWhile(tally, (p) => p.html.includes('/choose"')),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the change-phone new-number form (phone)', TIMEOUT, async () => {
  const tally = new Tally('change-phone new-number step (phone)');
  await fuzzForm({
    tally, seed: SEED + 3,
    arb: formCase({ phone: phones, then: fc.constantFrom('sms', '') }),
    prepare: async () => {
      const { browser, account: page } = await accountPage();
      const reauth = await startChange(browser, page);
      const numberPage = await proveByCode(server, browser, reauth, REGISTERED);
      assert.ok(isNewNumberPage(numberPage), `the new-number page: ${numberPage.status}`);
      return { browser, url: formAction(numberPage.html, '/steps/'), csrf: csrfOf(numberPage.html), uid: uidOf(numberPage) };
    },
    next: stayWhile(tally, isNewNumberPage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the account page with tampered and garbage cookies', TIMEOUT, async () => {
  const tally = new Tally('account page cookies (GET /account, POST change-phone, GET callback)');
  const { browser, account: page } = await accountPage();
  const pending = new Browser(server.url);
  await pending.request('/account');
  const real = Object.fromEntries([...browser.cookies, ...pending.cookies].filter((c) => c.path.startsWith('/account')).map((c) => [c.name, c.value]));
  assert.ok(real['flowgate.account'] && real['flowgate.account.login'], 'both account cookies');
  const arb = fc.record({
    path: fc.constantFrom('/account', '/account/change-phone', '/account/callback?code=x&state=y', '/account/', '/account/nope'),
    cookie: cookieHeader(real),
    c: formCase({}),
  });
  await fuzz(tally, SEED + 7, arb, async ({ path, cookie, c }) => {
    const req = buildRequest(c, csrfOf(page.html));
    const headers = { ...req.headers, ...(cookie ? { cookie } : {}) };
    const post = path === '/account/change-phone';
    await sendCase(new Browser(server.url), `${server.url}${path}`, post ? { ...req, headers } : { method: 'GET', headers, inputs: req.inputs }, tally, tally.form);
  });
  assert.equal(tally.fiveXx, 0);
});

test('after the account fuzzing the change-phone flow still works for the seeded user', TIMEOUT, async () => {
  // Not a fuzz case: the seeded account can still sign in and reach its new-number form.
  const { browser, account: page } = await accountPage();
  const reauth = await chooseWay(browser, await browser.go(formAction(page.html, '/account/change-phone'), { form: { csrf: csrfOf(page.html) } }));
  assert.ok(isCodePage(reauth));
  assert.ok(isNewNumberPage(await proveByCode(server, browser, reauth, REGISTERED)));
});
