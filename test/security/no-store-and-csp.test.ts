// Rule 14 and page caching: every HTML page — ours and the ones oidc-provider renders (logout
// confirmation, logged out, its self-submitting logout-first form, errors) — carries
// Content-Security-Policy with frame-ancestors 'none' and no inline script allowance, and
// Cache-Control: no-store (they hold codes, CSRF tokens or forms).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, type Page } from '../helpers/browser.ts';
import { authUrl, openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const SECOND = '+12025550101';
const THIRD_PARTY = { client_id: 'third-party', client_secret: 'third-secret-0123456789abcdef', redirect_uris: ['https://other.example.com/cb'] };

let server: TestServer;
before(async () => {
  server = await startServer({
    config: {
      clients: [CLIENT, THIRD_PARTY],
      users: [{ phone: REGISTERED, name: 'Ada Example' }, { phone: SECOND, name: 'Bob Example' }],
    },
  });
});
after(async () => { await server.close(); });

/** Every HTML page a person can meet, in one browser: sign-in steps, consent, logout-first form, logout, errors. */
async function collectPages(): Promise<Array<[string, Page]>> {
  const pages: Array<[string, Page]> = [];
  const keep = (what: string, page: Page) => { pages.push([what, page]); return page; };

  const { browser, page: phone } = await openPhonePage(server, authUrl(server, { client_id: THIRD_PARTY.client_id, redirect_uri: THIRD_PARTY.redirect_uris[0]! }));
  keep('phone page', phone);
  const code = keep('code page', await submitPhone(browser, phone, REGISTERED));
  const consent = keep('consent page', await submitCode(browser, code, await lastCode(server, REGISTERED)));
  assert.match(consent.html, /\/consent"/, 'the consent form');

  // Signed in as A; prompt=login as B shows oidc-provider's self-submitting logout-first form.
  const again = await browser.go(authUrl(server, { prompt: 'login' }));
  const code2 = await submitPhone(browser, again, SECOND);
  const logoutFirst = keep('logout-first form', await submitCode(browser, code2, await lastCode(server, SECOND)));
  assert.match(logoutFirst.html, /session\/end\/confirm/, 'the logout-first form');

  const logout = keep('logout confirmation', await browser.go(`${server.url}/session/end`));
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.html)![1]!;
  keep('logged out', await browser.go(`${server.url}/session/end/confirm`, { form: { xsrf, logout: 'yes' } }));

  const other = new Browser(server.url);
  for (const [what, path] of [
    ['home', '/'],
    ['unknown client error', '/auth?client_id=nobody&response_type=code&scope=openid'],
    ['redirect_uri mismatch error', `/auth?client_id=${CLIENT.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`],
    ['unknown interaction error', '/interaction/unknown'],
    ['logout confirm without a session', '/session/end/confirm'],
    ['not found', '/no-such-page'],
  ] as const) keep(what, await other.go(`${server.url}${path}`));
  keep('CSRF refusal', await browser.go(`${server.url}${new URL(formActionOf(phone.html)).pathname}`, { form: { phone: REGISTERED } }));
  return pages;
}

function formActionOf(html: string): string {
  return new URL(/<form[^>]*action="([^"]+\/steps\/[^"]+)"/.exec(html)![1]!, server.url).href;
}

test('rule 14: every HTML page sends CSP frame-ancestors \'none\' without inline script, and Cache-Control: no-store', { timeout: 30_000 }, async () => {
  const pages = await collectPages();
  assert.ok(pages.length === 13, `pages walked: ${pages.length}`);
  for (const [what, page] of pages) {
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/, `${what} (${page.status}): CSP frame-ancestors 'none'`);
    const scriptSrc = /script-src([^;]*)/.exec(csp)?.[1] ?? '';
    assert.ok(!scriptSrc.includes("'unsafe-inline'"), `${what}: no 'unsafe-inline' script`);
    assert.equal(page.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
    assert.match(page.headers.get('cache-control') ?? '', /no-store/, `${what} (${page.status}): Cache-Control no-store`);
  }
});

test('static assets stay cacheable', { timeout: 30_000 }, async () => {
  const res = await fetch(`${server.url}/assets/app.css`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
});
