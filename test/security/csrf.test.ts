// Rule 13: the consent form and the logout form refuse a cross-site POST without their token
// (consent: csrf, oidc-provider's logout: xsrf) with a 4xx and change nothing — even when the
// browser sends the cookies along.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, type Page } from '../helpers/browser.ts';
import { authUrl, openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const THIRD_PARTY = { client_id: 'third-party', client_secret: 'third-secret-0123456789abcdef', redirect_uris: ['https://other.example.com/cb'] };
const CROSS_SITE = { origin: 'https://evil.example', referer: 'https://evil.example/page', 'sec-fetch-site': 'cross-site' };

let server: TestServer;
before(async () => { server = await startServer({ config: { clients: [CLIENT, THIRD_PARTY] } }); });
after(async () => { await server.close(); });

function assertRefused(page: Page, what: string) {
  assert.ok(page.status >= 400 && page.status < 500, `${what}: 4xx, got ${page.status}`);
  assert.equal(page.location, undefined, `${what}: no redirect`);
}

async function toConsent(): Promise<{ browser: Browser; consent: Page; uid: string }> {
  const { browser, page } = await openPhonePage(server, authUrl(server, { client_id: THIRD_PARTY.client_id, redirect_uri: THIRD_PARTY.redirect_uris[0]! }));
  const code = await submitPhone(browser, page, REGISTERED);
  const consent = await submitCode(browser, code, await lastCode(server, REGISTERED));
  const uid = /action="\/interaction\/([^/"]+)\/consent"/.exec(consent.html)?.[1];
  assert.ok(uid, `the consent page: ${consent.status}`);
  return { browser, consent, uid };
}

test('rule 13: consent refuses a cross-site POST without its CSRF token, and the consent is still pending', { timeout: 30_000 }, async () => {
  const { browser, consent, uid } = await toConsent();
  const action = `${server.url}/interaction/${uid}/consent`;
  assertRefused(await browser.request(action, { form: { decision: 'allow' }, headers: CROSS_SITE }), 'no token');
  assertRefused(await browser.request(action, { form: { decision: 'allow', csrf: 'x'.repeat(csrfOf(consent.html).length) }, headers: CROSS_SITE }), 'a wrong token');
  assertRefused(await browser.request(action, { form: { decision: 'allow', csrf: '' }, headers: CROSS_SITE }), 'an empty token');

  const again = await browser.request(`${server.url}/interaction/${uid}`);
  assert.equal(again.status, 200, 'the interaction is still there');
  assert.match(again.html, /\/consent"/, 'still asking for consent');
  // The person's own POST, with the token, still works: nothing was consumed by the refused ones.
  const done = await browser.go(action, { form: { decision: 'allow', csrf: csrfOf(again.html) } });
  assert.ok(done.location?.startsWith(THIRD_PARTY.redirect_uris[0]!), `consent goes through: ${done.status} ${done.location}`);
  assert.ok(new URL(done.location!).searchParams.get('code'));
});

test('hostile: cross-site POST without token — logout refuses it, and the session lives on', { timeout: 30_000 }, async () => {
  const { browser, page } = await openPhonePage(server);
  const back = await submitCode(browser, await submitPhone(browser, page, REGISTERED), await lastCode(server, REGISTERED));
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), 'signed in');
  const form = await browser.go(`${server.url}/session/end`);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(form.html)?.[1];
  assert.ok(xsrf, 'the logout form carries an xsrf token');

  const confirm = `${server.url}/session/end/confirm`;
  assertRefused(await browser.request(confirm, { form: { logout: 'yes' }, headers: CROSS_SITE }), 'no token');
  assertRefused(await browser.request(confirm, { form: { logout: 'yes', xsrf: 'x'.repeat(xsrf.length) }, headers: CROSS_SITE }), 'a wrong token');

  const silent = await browser.go(authUrl(server, { prompt: 'none' }));
  assert.ok(new URL(silent.location!).searchParams.get('code'), `still signed in: ${silent.location}`);
});
