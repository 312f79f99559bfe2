// Rule 16b: every URL the server prints (discovery, redirects, form actions, pages) is built from
// the issuer, never from the request's Host, X-Forwarded-Host or X-Forwarded-Proto headers, nor
// from an absolute-form request target — even with trustProxy on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, type Page } from '../helpers/browser.ts';
import { rawRequest, startHostileProxy, type HostileProxy } from '../helpers/hostile-proxy.ts';
import { authUrl, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const EVIL = 'evil.example';
const LIES = { host: EVIL, 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'https' };

let server: TestServer;
let proxy: HostileProxy;
before(async () => {
  server = await startServer({ config: { trustProxy: true } });
  proxy = await startHostileProxy(server.url, LIES);
});
after(async () => { await proxy.close(); await server.close(); });

/** The same URL reached through the lying proxy. */
const via = (url: string) => { const u = new URL(url, server.url); return `${proxy.url}${u.pathname}${u.search}`; };

function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(urlsIn);
  return [];
}

/** Nothing in the response names the hostile host; a redirect goes to the issuer (or a path on it) or to the client. */
function assertFromIssuer(page: Page, what: string) {
  assert.ok(!page.html.includes(EVIL), `${what}: the body never names ${EVIL}`);
  for (const [name, value] of page.headers) assert.ok(!value.includes(EVIL), `${what}: header ${name} never names ${EVIL}: ${value}`);
  for (const m of page.html.matchAll(/(?:action|href|src)="([^"]+)"/g)) {
    assert.ok(m[1]!.startsWith(`${server.url}/`) || /^\/(?!\/)/.test(m[1]!), `${what}: ${m[1]} is on the issuer`);
  }
  const raw = page.headers.get('location');
  if (raw) {
    assert.ok(raw.startsWith(`${server.url}/`) || /^\/(?!\/)/.test(raw) || raw.startsWith(CLIENT.redirect_uris[0]!), `${what}: redirect ${raw} is on the issuer`);
  }
}

test('discovery lists the issuer\'s URLs whatever Host, X-Forwarded-* or request target the request carries', { timeout: 30_000 }, async () => {
  const variants: Array<[string, string, Record<string, string>]> = [
    ['Host', '/.well-known/openid-configuration', { host: EVIL }],
    ['X-Forwarded-Host and -Proto', '/.well-known/openid-configuration', LIES],
    ['absolute-form target', `http://${EVIL}/.well-known/openid-configuration`, { host: EVIL }],
  ];
  for (const [what, path, headers] of variants) {
    const res = await rawRequest(server.url, path, headers);
    assert.equal(res.status, 200, what);
    const metadata = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(metadata.issuer, server.url, what);
    const urls = urlsIn(metadata);
    assert.ok(urls.length >= 6, `${what}: endpoints listed (${urls.length})`);
    for (const u of urls) assert.ok(u === server.url || u.startsWith(`${server.url}/`), `${what}: ${u} starts with the issuer`);
  }
});

test('rule 16b: a whole sign-in through a proxy that lies about the host only ever points at the issuer', { timeout: 30_000 }, async () => {
  const browser = new Browser(proxy.url);
  // /auth → interaction page
  let page = await browser.request(via(authUrl(server)));
  assertFromIssuer(page, '/auth');
  assert.equal(page.status, 303);
  page = await browser.request(via(page.location!));
  assertFromIssuer(page, 'phone page');
  assert.match(page.html, /autocomplete="tel"/);
  page = await submitPhone(browser, page, REGISTERED);
  assertFromIssuer(page, 'code page');
  page = await submitCode(browser, page, await lastCode(server, REGISTERED));
  assertFromIssuer(page, 'after the code');
  assert.ok(page.location?.startsWith(`${server.url}/auth/`), `resumes at the issuer: ${page.location}`);
  page = await browser.request(via(page.location!));
  assertFromIssuer(page, 'resume');
  const back = new URL(page.headers.get('location') ?? '');
  assert.equal(`${back.origin}${back.pathname}`, CLIENT.redirect_uris[0]);
  assert.ok(back.searchParams.get('code'));
  assert.equal(back.searchParams.get('iss'), server.url, 'the iss response parameter is the issuer');

  // RP-initiated logout: the confirm form posts to the issuer and the page names the issuer's host.
  page = await browser.request(via(`${server.url}/session/end`));
  assert.equal(page.status, 200);
  assertFromIssuer(page, 'logout form');
  assert.match(page.html, new RegExp(`action="${server.url}/session/end/confirm"`));
  assert.ok(page.html.includes(new URL(server.url).host), 'the logout page names the issuer\'s host');
});

test('error pages and redirects of refused requests never name the request\'s host', { timeout: 30_000 }, async () => {
  const browser = new Browser(proxy.url);
  for (const path of [
    '/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback',
    `/auth?client_id=${CLIENT.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`http://${EVIL}/cb`)}`,
    '/interaction/not-a-real-uid',
    '/session/end/confirm',
    '/no-such-page',
  ]) {
    const page = await browser.request(`${proxy.url}${path}`);
    assert.ok(page.status >= 400 || page.status === 303, `${path}: ${page.status}`);
    assert.ok(page.status < 500, `${path}: ${page.status}`);
    assertFromIssuer(page, path);
  }
});
