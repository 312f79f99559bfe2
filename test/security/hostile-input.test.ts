// SECURITY.md hostile inputs on the hosted forms (phone input, XSS, redirect_uri variants, CSRF):
// a clear 4xx page, never a 5xx, a stack trace or a redirect.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl, openPhonePage, toCodePage } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
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

/** Posts `form` (CSRF token added) to a fresh phone page: a clear 4xx, no redirect, no SMS. */
async function phoneRefused(what: string, form: Record<string, string | string[]>): Promise<Page> {
  const { browser, page } = await openPhonePage(server);
  const sent = (await outboxLinesOf(server)).length;
  const res = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), ...form } });
  assertClear4xx(res, what);
  assert.equal(res.location, undefined, `${what}: no redirect`);
  assert.equal((await outboxLinesOf(server)).length, sent, `${what}: no SMS`);
  return res;
}

test('hostile: phone input 10 kB long — a 400 page', { timeout: 30_000 }, async () => {
  await phoneRefused('10 kB phone', { phone: '1'.repeat(10_000) });
  await phoneRefused('10 kB of digits after a real number', { phone: `+12025550100${'0'.repeat(10_000)}` });
});

test('hostile: U+202E — a bidi override in the phone is refused, naming the characters', { timeout: 30_000 }, async () => {
  const page = await phoneRefused('bidi override', { phone: '\u202E0010555202+' });
  assert.match(page.html, /characters that are not allowed/);
  await phoneRefused('bidi override inside a valid number', { phone: '+1202\u202E5550100' });
});

test('hostile: zero-width — a zero-width space or joiner in the phone is refused', { timeout: 30_000 }, async () => {
  await phoneRefused('zero width space', { phone: '+1202\u200B5550100' });
  await phoneRefused('zero width joiner', { phone: '+1202\u200D5550100' });
  await phoneRefused('BOM', { phone: '\uFEFF+12025550100' });
});

test('hostile: NUL — a NUL or other control character in the phone is refused', { timeout: 30_000 }, async () => {
  await phoneRefused('NUL', { phone: '+1202555\u00000100' });
  await phoneRefused('trailing NUL', { phone: '+12025550100\u0000' });
  await phoneRefused('bell', { phone: '+1202555\u00070100' });
});

test('hostile: CRLF — a header injected through the phone is refused and never set', { timeout: 30_000 }, async () => {
  const page = await phoneRefused('CRLF', { phone: '+12025550100\r\nSet-Cookie: x=1' });
  assert.ok(!page.headers.getSetCookie().some((c) => c.startsWith('x=')), 'no injected cookie');
  await phoneRefused('LF', { phone: '+12025550100\nX: y' });
});

test('hostile: arrays/objects in JSON — arrays and objects in place of the phone are refused', { timeout: 30_000 }, async () => {
  await phoneRefused('array', { phone: ['+12025550100', '+12025550101'] });
  await phoneRefused('bracket array', { 'phone[]': '+12025550100' });
  await phoneRefused('bracket object', { 'phone[$gt]': '' });
  const { browser, page } = await openPhonePage(server);
  const action = formAction(page.html, '/steps/');
  for (const body of [{ phone: { $gt: '' } }, { phone: ['+12025550100'] }, { phone: 12025550100 }, { phone: null }]) {
    const res = await browser.request(action, { body: JSON.stringify({ csrf: csrfOf(page.html), ...body }), headers: { 'content-type': 'application/json' } });
    assertClear4xx(res, `JSON ${JSON.stringify(body)}`);
  }
});

test('other malformed phone values get a 400 page', { timeout: 30_000 }, async () => {
  await phoneRefused('letters', { phone: 'twelve' });
  await phoneRefused('empty', { phone: '' });
  await phoneRefused('missing field', {});
});

test('missing or wrong CSRF tokens are refused with 403 on every form', { timeout: 30_000 }, async () => {
  const { browser, page } = await toCodePage(server, REGISTERED);
  const step = formAction(page.html, '/steps/');
  const restart = formAction(page.html, '/restart');
  for (const [what, url, form] of [
    ['code without token', step, { code: '123456' }],
    ['code with wrong token', step, { code: '123456', csrf: 'x'.repeat(32) }],
    ['code with token array', step, { code: '123456', csrf: [csrfOf(page.html), csrfOf(page.html)] }],
    ['restart without token', restart, {}],
  ] as const) {
    const res = await browser.go(url, { form: form as Record<string, string | string[]> });
    assertClear4xx(res, what);
    if (what !== 'code with token array') assert.equal(res.status, 403, what);
  }
});

test('the code form refuses hostile values', { timeout: 30_000 }, async () => {
  const { browser, page } = await toCodePage(server, REGISTERED);
  const action = formAction(page.html, '/steps/');
  const csrf = csrfOf(page.html);
  for (const [what, code] of [['letters', 'abcdef'], ['10 kB', '1'.repeat(10_000)], ['bidi', '\u202E123456'], ['too short', '123']] as const) {
    assertClear4xx(await browser.go(action, { form: { csrf, code } }), what);
  }
  assertClear4xx(await browser.go(action, { form: { csrf, code: ['123456', '654321'] } }), 'array');
});

test('unknown interactions, JSON bodies and oversized bodies get 4xx pages', { timeout: 30_000 }, async () => {
  const browser = new Browser(server.url);
  assertClear4xx(await browser.request('/interaction/not-a-real-uid'), 'GET unknown uid');
  assertClear4xx(await browser.request('/interaction/not-a-real-uid/steps/identify', { form: { phone: REGISTERED } }), 'POST unknown uid');
  assertClear4xx(await browser.request('/interaction/..%2F..%2Fetc/steps/x', { form: {} }), 'path tricks');
  assertClear4xx(await browser.request(`/interaction/${'a'.repeat(500)}`), 'overlong uid');

  const { browser: b2, page } = await openPhonePage(server);
  const action = formAction(page.html, '/steps/');
  assertClear4xx(await b2.request(action, { body: JSON.stringify({ csrf: csrfOf(page.html), phone: { $gt: '' } }), headers: { 'content-type': 'application/json' } }), 'JSON body');
  assertClear4xx(await b2.go(action, { form: { csrf: csrfOf(page.html), phone: 'x'.repeat(40_000) } }), 'oversized body');
  assertClear4xx(await b2.request(action, { body: '%%%&&&=', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'broken urlencoding');
  const stale = await b2.request(action.replace('/steps/identify', '/steps/nope'), { form: { csrf: csrfOf(page.html), phone: REGISTERED } });
  assert.equal(stale.status, 303, 'a step that is not current sends the person back to the current one');
  assert.equal(new URL(stale.location!).pathname, new URL(action, server.url).pathname.replace('/steps/identify', ''));
});

const XSS = '"><script>alert(1)</script>';

/** The phone page for an authorization request with `extra`: 200, the script never unescaped. */
async function phonePageWith(extra: Record<string, string>): Promise<Page> {
  const page = await new Browser(server.url).go(authUrl(server, extra));
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.html, /<script>alert/);
  return page;
}

test('hostile: XSS in login_hint — shown escaped or not at all', { timeout: 30_000 }, async () => {
  const page = await phonePageWith({ login_hint: XSS });
  assert.doesNotMatch(page.html, /"><script/);
});

test('hostile: XSS in ui_locales — never reaches the page unescaped (lang falls back)', { timeout: 30_000 }, async () => {
  const page = await phonePageWith({ ui_locales: XSS });
  assert.match(page.html, /<html lang="en">/);
});

test('hostile: XSS in state — not in the pages, and returned to the app unchanged', { timeout: 30_000 }, async () => {
  const page = await phonePageWith({ state: XSS });
  assert.doesNotMatch(page.html, /"><script/);
  const { browser, page: codePage, code } = await toCodePage(server, REGISTERED, authUrl(server, { state: XSS }));
  assert.doesNotMatch(codePage.html, /<script>alert/);
  const back = await browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), code: await code() } });
  assert.ok(back.location?.startsWith('https://app.example.com/callback?'), `back at the app: ${back.status}`);
  assert.equal(new URL(back.location!).searchParams.get('state'), XSS, 'state round-trips unchanged');
});

test('hostile: XSS in client name — escaped on the consent page', { timeout: 30_000 }, async () => {
  const consent = await toCodePage(server, REGISTERED, `${server.url}/auth?${new URLSearchParams({
    client_id: 'third-party', response_type: 'code', redirect_uri: 'https://other.example.com/cb', scope: 'openid phone', state: XSS,
  })}`);
  const afterCode = await consent.browser.go(formAction(consent.page.html, '/steps/'), { form: { csrf: csrfOf(consent.page.html), code: await consent.code() } });
  assert.equal(afterCode.status, 200, 'a third-party client gets a consent page');
  assert.match(afterCode.html, /Allow access/);
  assert.match(afterCode.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Evil/);
  assert.doesNotMatch(afterCode.html, /<script>alert/);
  assertClear4xx(await consent.browser.request(formAction(afterCode.html, '/consent'), { form: { decision: 'allow' } }), 'consent without token');
  const allowed = await consent.browser.go(formAction(afterCode.html, '/consent'), { form: { csrf: csrfOf(afterCode.html), decision: 'allow' } });
  assert.ok(allowed.location?.startsWith('https://other.example.com/cb?code='), `consent allowed: ${allowed.status}`);
  assert.equal(new URL(allowed.location!).searchParams.get('state'), XSS, 'state round-trips unchanged');
});

/** rule 17 for one variant of the registered https://app.example.com/callback: an error page, never a redirect. */
async function redirectUriRefused(uri: string) {
  const page = await new Browser(server.url).request(authUrl(server, { redirect_uri: uri }));
  assert.equal(page.status, 400, uri);
  assert.equal(page.location, undefined, `${uri}: no redirect`);
  assert.match(page.html, /redirect_uri/, `${uri}: the error page says why`);
  assert.doesNotMatch(page.html, /<script>/, uri);
}

test('hostile: redirect_uri with trailing slash — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('https://app.example.com/callback/');
});
test('hostile: redirect_uri case change — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('https://APP.example.com/callback');
  await redirectUriRefused('https://app.example.com/Callback');
});
test('hostile: redirect_uri extra query — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('https://app.example.com/callback?x=1');
  await redirectUriRefused('https://app.example.com/callback#frag');
});
test('hostile: redirect_uri /../ — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('https://app.example.com/a/../callback');
  await redirectUriRefused('https://app.example.com/callback/../evil');
  await redirectUriRefused('https://app.example.com/%2e%2e/callback');
});
test('hostile: redirect_uri user@evil — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('https://user@evil.example/callback');
  await redirectUriRefused('https://app.example.com@evil.example/callback');
});
test('hostile: redirect_uri other port — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('https://app.example.com:8443/callback');
  await redirectUriRefused('https://app.example.com:443/callback');
});
test('hostile: redirect_uri http↔https — an error page, never a redirect', { timeout: 30_000 }, async () => {
  await redirectUriRefused('http://app.example.com/callback');
});

test('pages cannot be framed and carry no inline script', { timeout: 30_000 }, async () => {
  const { page } = await openPhonePage(server);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.doesNotMatch(page.html, /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
  assert.match(page.html, /<html lang="en">/);
  assert.match(page.html, /<label for="phone">/);
});

test('paths with no route get the 404 page (or a JSON problem), not a bare text answer', { timeout: 30_000 }, async () => {
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
