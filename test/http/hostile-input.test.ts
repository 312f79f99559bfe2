// Hostile input on every hosted form gets a clear 4xx page: never a 5xx, a stack trace or a redirect.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl, openPhonePage, toCodePage } from '../helpers/login.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({
    config: {
      clients: [
        { client_id: 'test-app', client_secret: 'test-secret-0123456789abcdef', redirect_uris: ['https://app.example.com/callback'], firstParty: true },
        { client_id: 'third-party', client_secret: 'third-secret-0123456789abcdef', client_name: '<script>alert(1)</script> Evil', redirect_uris: ['https://other.example.com/cb'] },
      ],
    },
  });
});
after(async () => { await server.close(); });

function assertClear4xx(page: Page, what: string) {
  assert.ok(page.status >= 400 && page.status < 500, `${what}: status ${page.status}`);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/, what);
  assert.doesNotMatch(page.html, /\bat [\w.<>]+ \(|Error:|node_modules|\/work\//, `${what}: no stack trace`);
  assert.match(page.html, /<h1>/, `${what}: a readable page`);
}

test('the phone form refuses hostile values with a 400 page', async () => {
  const { browser, page } = await openPhonePage(server);
  const action = formAction(page.html, '/steps/');
  const csrf = csrfOf(page.html);
  const hostile: Array<[string, Record<string, string | string[]>]> = [
    ['10 kB phone', { csrf, phone: '1'.repeat(10_000) }],
    ['letters', { csrf, phone: 'twelve' }],
    ['control characters', { csrf, phone: '+1202555\u00000100' }],
    ['CRLF', { csrf, phone: '+12025550100\r\nSet-Cookie: x=1' }],
    ['bidi override', { csrf, phone: '\u202E0010555202+' }],
    ['zero width', { csrf, phone: '+1202\u200B5550100' }],
    ['array', { csrf, phone: ['+12025550100', '+12025550101'] }],
    ['empty', { csrf, phone: '' }],
    ['missing field', { csrf }],
  ];
  for (const [what, form] of hostile) {
    const res = await browser.request(action, { form });
    assertClear4xx(res, what);
    assert.equal(res.location, undefined, `${what}: no redirect`);
  }
  const bidiPage = await browser.request(action, { form: { csrf, phone: '\u202E0010555202+' } });
  assert.match(bidiPage.html, /characters that are not allowed/);
});

test('missing or wrong CSRF tokens are refused with 403 on every form', async () => {
  const { browser, page } = await toCodePage(server, REGISTERED);
  const step = formAction(page.html, '/steps/');
  const restart = formAction(page.html, '/restart');
  for (const [what, url, form] of [
    ['code without token', step, { code: '123456' }],
    ['code with wrong token', step, { code: '123456', csrf: 'x'.repeat(32) }],
    ['code with token array', step, { code: '123456', csrf: [csrfOf(page.html), csrfOf(page.html)] }],
    ['restart without token', restart, {}],
  ] as const) {
    const res = await browser.request(url, { form: form as Record<string, string | string[]> });
    assertClear4xx(res, what);
    if (what !== 'code with token array') assert.equal(res.status, 403, what);
  }
});

test('the code form refuses hostile values', async () => {
  const { browser, page } = await toCodePage(server, REGISTERED);
  const action = formAction(page.html, '/steps/');
  const csrf = csrfOf(page.html);
  for (const [what, code] of [['letters', 'abcdef'], ['10 kB', '1'.repeat(10_000)], ['bidi', '\u202E123456'], ['too short', '123']] as const) {
    assertClear4xx(await browser.request(action, { form: { csrf, code } }), what);
  }
  assertClear4xx(await browser.request(action, { form: { csrf, code: ['123456', '654321'] } }), 'array');
});

test('unknown interactions, JSON bodies and oversized bodies get 4xx pages', async () => {
  const browser = new Browser(server.url);
  assertClear4xx(await browser.request('/interaction/not-a-real-uid'), 'GET unknown uid');
  assertClear4xx(await browser.request('/interaction/not-a-real-uid/steps/identify', { form: { phone: REGISTERED } }), 'POST unknown uid');
  assertClear4xx(await browser.request('/interaction/..%2F..%2Fetc/steps/x', { form: {} }), 'path tricks');
  assertClear4xx(await browser.request(`/interaction/${'a'.repeat(500)}`), 'overlong uid');

  const { browser: b2, page } = await openPhonePage(server);
  const action = formAction(page.html, '/steps/');
  assertClear4xx(await b2.request(action, { body: JSON.stringify({ csrf: csrfOf(page.html), phone: { $gt: '' } }), headers: { 'content-type': 'application/json' } }), 'JSON body');
  assertClear4xx(await b2.request(action, { form: { csrf: csrfOf(page.html), phone: 'x'.repeat(40_000) } }), 'oversized body');
  assertClear4xx(await b2.request(action, { body: '%%%&&&=', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'broken urlencoding');
  const stale = await b2.request(action.replace('/steps/identify', '/steps/nope'), { form: { csrf: csrfOf(page.html), phone: REGISTERED } });
  assert.equal(stale.status, 303, 'a step that is not current sends the person back to the current one');
  assert.equal(new URL(stale.location!).pathname, new URL(action, server.url).pathname.replace('/steps/identify', ''));
});

test('script in login_hint, state, ui_locales and the client name is never executed', async () => {
  const xss = '"><script>alert(1)</script>';
  const browser = new Browser(server.url);
  const page = await browser.go(authUrl(server, { login_hint: xss, state: xss, ui_locales: xss }));
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.html, /<script>alert/);

  const consent = await toCodePage(server, REGISTERED, `${server.url}/auth?${new URLSearchParams({
    client_id: 'third-party', response_type: 'code', redirect_uri: 'https://other.example.com/cb', scope: 'openid phone', state: xss,
  })}`);
  const afterCode = await consent.browser.go(formAction(consent.page.html, '/steps/'), { form: { csrf: csrfOf(consent.page.html), code: await consent.code() } });
  assert.equal(afterCode.status, 200, 'a third-party client gets a consent page');
  assert.match(afterCode.html, /Allow access/);
  assert.match(afterCode.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Evil/);
  assert.doesNotMatch(afterCode.html, /<script>alert/);
  assertClear4xx(await consent.browser.request(formAction(afterCode.html, '/consent'), { form: { decision: 'allow' } }), 'consent without token');
  const allowed = await consent.browser.go(formAction(afterCode.html, '/consent'), { form: { csrf: csrfOf(afterCode.html), decision: 'allow' } });
  assert.ok(allowed.location?.startsWith('https://other.example.com/cb?code='), `consent allowed: ${allowed.status}`);
  assert.equal(new URL(allowed.location!).searchParams.get('state'), xss, 'state round-trips unchanged');
});

test('redirect_uri variants that are not registered never redirect', async () => {
  const browser = new Browser(server.url);
  for (const uri of [
    'https://app.example.com/callback/', 'https://APP.example.com/callback', 'https://app.example.com/callback?x=1',
    'https://app.example.com/a/../callback', 'https://user@evil.example/callback', 'https://app.example.com:8443/callback',
    'http://app.example.com/callback',
  ]) {
    const page = await browser.request(authUrl(server, { redirect_uri: uri }));
    assert.equal(page.status, 400, uri);
    assert.equal(page.location, undefined, uri);
  }
});

test('pages cannot be framed and carry no inline script', async () => {
  const { page } = await openPhonePage(server);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.doesNotMatch(page.html, /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
  assert.match(page.html, /<html lang="en">/);
  assert.match(page.html, /<label for="phone">/);
});

test('paths with no route get the 404 page (or a JSON problem), not a bare text answer', async () => {
  const browser = new Browser(server.url);
  for (const [method, path] of [['GET', '/nope'], ['POST', '/interaction/abc/steps/'], ['POST', '/interaction/abc/flow/'], ['GET', '/session/end/confirm']] as const) {
    const page = await browser.request(path, { method, ...(method === 'POST' ? { form: { csrf: 'x' } } : {}) });
    assert.equal(page.status, 404, path);
    assertClear4xx(page, `${method} ${path}`);
    assert.match(page.html, /This page does not exist/, path);
    assert.equal(page.headers.get('cache-control'), 'no-store', path);
  }
  const json = await browser.request('/nope', { headers: { accept: 'application/json' } });
  assert.equal(json.status, 404);
  assert.deepEqual(JSON.parse(json.html), { error: 'not_found' });
});
