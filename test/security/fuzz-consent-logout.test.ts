// Property-based fuzzing of the consent form (allow/deny) and oidc-provider's logout form and
// request (/session/end with xsrf, and with arbitrary parameters). Every answer: no 5xx, no stack
// trace or internal path, no unescaped reflection, a readable page or a JSON problem; the seeded
// users unchanged afterwards. (Split from fuzz-account.test.ts so each file stays well inside the
// runner's per-file timeout.)
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, type Page } from '../helpers/browser.ts';
import { authUrl, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import {
  formCase, fuzz, fuzzForm, hostileString, queryCase, seedOf, sendCase, stayWhile, Tally,
  type Target, type UserSnapshot,
  startFuzzServer, stopFuzzServer,
} from '../helpers/fuzz.ts';
import { CLIENT, REGISTERED, type TestServer } from '../helpers/server.ts';

const SEED = seedOf('fuzz-account', 20261221);
const TIMEOUT = { timeout: 240_000 };
const THIRD_PARTY = { client_id: 'third-party', client_secret: 'third-secret-0123456789abcdef', client_name: '<script>alert(1)</script> Evil', redirect_uris: ['https://other.example.com/cb'], post_logout_redirect_uris: ['https://other.example.com/'] };

let server: TestServer;
let seeded: UserSnapshot[];
before(async () => {
  ({ server, seeded } = await startFuzzServer({
    clients: [CLIENT, THIRD_PARTY],
    users: [{ phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' }],
  }));
});
after(() => stopFuzzServer(server, seeded));

test('fuzz: the consent form (allow/deny)', TIMEOUT, async () => {
  const tally = new Tally('consent (decision)');
  const consentUrl = authUrl(server, { client_id: THIRD_PARTY.client_id, redirect_uri: THIRD_PARTY.redirect_uris[0]!, prompt: 'consent', scope: 'openid phone' });
  const browser = new Browser(server.url);
  const start = await browser.go(consentUrl);
  const codePage = await submitPhone(browser, start, REGISTERED);
  const first = await submitCode(browser, codePage, await lastCode(server, REGISTERED));
  assert.match(first.html, /Allow access/);
  const consentTarget = (page: Page): Target => {
    const uid = /action="\/interaction\/([^/"]+)\/consent"/.exec(page.html)![1]!;
    return { browser, url: `${server.url}/interaction/${uid}/consent`, csrf: csrfOf(page.html), uid };
  };
  let firstPage: Page | undefined = first;
  await fuzzForm({
    tally, seed: SEED + 4,
    arb: formCase({ decision: fc.constantFrom('allow', 'deny', 'ALLOW', 'allow ', '') }, { validCsrf: 2 }),
    prepare: async () => {
      const page = firstPage ?? await browser.go(consentUrl);
      firstPage = undefined;
      assert.match(page.html, /\/consent"/, `the consent page: ${page.status}`);
      return consentTarget(page);
    },
    next: stayWhile(tally, (p) => p.html.includes('/consent"')),
  });
  assert.equal(tally.fiveXx, 0);
});

async function signedIn(browser: Browser): Promise<boolean> {
  const silent = await browser.go(authUrl(server, { prompt: 'none' }));
  return Boolean(silent.location && new URL(silent.location).searchParams.get('code'));
}

async function signIn(browser: Browser): Promise<void> {
  const start = await browser.go(authUrl(server, { prompt: 'login' }));
  const done = await submitCode(browser, await submitPhone(browser, start, REGISTERED), await lastCode(server, REGISTERED));
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!), `signed in: ${done.status}`);
}

test('fuzz: the logout form (POST /session/end/confirm with xsrf)', TIMEOUT, async () => {
  const tally = new Tally('logout confirm (xsrf, logout)');
  const browser = new Browser(server.url);
  const logoutTarget = async (): Promise<Target> => {
    if (!(await signedIn(browser))) await signIn(browser);
    const form = await browser.go(`${server.url}/session/end`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form.html)?.[1];
    assert.ok(xsrf, `the logout form: ${form.status}`);
    return { browser, url: `${server.url}/session/end/confirm`, csrf: xsrf };
  };
  await fuzzForm({
    tally, seed: SEED + 5, csrfField: 'xsrf',
    arb: formCase({ logout: fc.constantFrom('yes', 'no', '1', ''), state: hostileString }, { validCsrf: 2 }),
    prepare: logoutTarget,
    // The next case gets a fresh form (and a session again when a case signed out).
    next: async () => undefined,
    allow: {},
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the logout request (GET /session/end with arbitrary parameters)', TIMEOUT, async () => {
  const tally = new Tally('logout request (query)');
  const browser = new Browser(server.url);
  await signIn(browser);
  const arb = queryCase({
    id_token_hint: fc.constantFrom('eyJhbGciOiJub25lIn0.e30.', 'garbage', ''), post_logout_redirect_uri: fc.constantFrom('https://app.example.com/', 'https://evil.example/', 'javascript:alert(1)'),
    client_id: fc.constantFrom(CLIENT.client_id, THIRD_PARTY.client_id, 'flowgate-account', 'nope'), state: hostileString, ui_locales: fc.constantFrom('de', 'en', '<script>', 'xx'), logout_hint: hostileString,
  });
  await fuzz(tally, SEED + 6, arb, async (q) => {
    const page = await sendCase(browser, `${server.url}/session/end?${q.query}`, { method: 'GET', headers: { accept: q.accept }, inputs: q.inputs }, tally, tally.form);
    if (page.location) assert.ok(!page.location.startsWith('https://evil.example'), 'never to an unregistered post-logout URI');
  });
  assert.equal(tally.fiveXx, 0);
});
