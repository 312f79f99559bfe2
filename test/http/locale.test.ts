// Page and SMS language over HTTP: ui_locales, then Accept-Language, then the default (en).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl, openPhonePage, submitPhone } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { de } from '../../src/web/i18n/de.ts';
import { en } from '../../src/web/i18n/en.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

const langOf = (html: string) => /<html lang="([^"]*)"/.exec(html)?.[1];
const h1Of = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

/** Browser.go sends init headers only on the first hop; a real browser sends Accept-Language on every request. */
async function goWith(browser: Browser, url: string, headers: Record<string, string>, init: Parameters<Browser['request']>[1] = {}): Promise<Page> {
  let page = await browser.request(url, { ...init, headers });
  for (let hops = 0; page.location && hops < 10; hops += 1) {
    if (new URL(page.location).origin !== browser.origin) return page;
    page = await browser.request(page.location, { headers });
  }
  return page;
}

/** Submits the phone and returns the code page plus the SMS the submission wrote. */
async function sendCode(browser: Browser, phonePage: Page, headers?: Record<string, string>) {
  const before = (await outboxLinesOf(server)).length;
  const codePage = headers
    ? await goWith(browser, formAction(phonePage.html, '/steps/'), headers, { form: { csrf: csrfOf(phonePage.html), phone: REGISTERED, then: 'sms' } })
    : await submitPhone(browser, phonePage, REGISTERED);
  assert.equal(codePage.status, 200, codePage.html.slice(0, 300));
  assert.ok(codePage.html.includes('autocomplete="one-time-code"'), 'expected the code page');
  const sms = (await outboxLinesOf(server)).slice(before);
  assert.equal(sms.length, 1);
  assert.equal(sms[0]!.to, REGISTERED);
  return { codePage, sms: sms[0]! };
}

test('ui_locales=de gives German pages and a German SMS', async () => {
  const { browser, page } = await openPhonePage(server, authUrl(server, { ui_locales: 'de' }));
  assert.equal(langOf(page.html), 'de');
  assert.equal(h1Of(page.html), de['phone.heading_sign-in']);
  assert.ok(page.html.includes(de['phone.label']));
  assert.ok(!page.html.includes(en['phone.heading_sign-in']));

  const { codePage, sms } = await sendCode(browser, page);
  assert.equal(langOf(codePage.html), 'de');
  assert.equal(h1Of(codePage.html), de['code.heading']);
  assert.ok(codePage.html.includes(de['code.submit']));
  assert.ok(!codePage.html.includes(en['code.heading']));
  assert.ok(codePage.html.includes(`>${de['authenticator.password']}</button>`), 'the other sign-in ways are German too');
  assert.equal(sms.locale, 'de');
  assert.equal(sms.usage, 'sign-in');
  assert.match(sms.body, /ist Ihr Anmeldecode/);
  assert.match(sms.body, /#[0-9A-Z]+\s*$/);
});

test('ui_locales=de wins over an English Accept-Language', async () => {
  const headers = { 'accept-language': 'en-US,en;q=0.9' };
  const browser = new Browser(server.url);
  const page = await goWith(browser, authUrl(server, { ui_locales: 'de' }), headers);
  assert.equal(page.status, 200);
  assert.equal(langOf(page.html), 'de');
  assert.equal(h1Of(page.html), de['phone.heading_sign-in']);
});

test('Accept-Language: de-DE without ui_locales gives German pages and SMS', async () => {
  const headers = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' };
  const browser = new Browser(server.url);
  const page = await goWith(browser, authUrl(server), headers);
  assert.equal(page.status, 200);
  assert.equal(langOf(page.html), 'de');
  assert.equal(h1Of(page.html), de['phone.heading_sign-in']);

  const { codePage, sms } = await sendCode(browser, page, headers);
  assert.equal(langOf(codePage.html), 'de');
  assert.equal(h1Of(codePage.html), de['code.heading']);
  assert.equal(sms.locale, 'de');
  assert.match(sms.body, /ist Ihr Anmeldecode/);
});

test('ui_locales=fr (no catalog) falls back to English pages and SMS', async () => {
  const { browser, page } = await openPhonePage(server, authUrl(server, { ui_locales: 'fr' }));
  assert.equal(langOf(page.html), 'en');
  assert.equal(h1Of(page.html), en['phone.heading_sign-in']);

  const { codePage, sms } = await sendCode(browser, page);
  assert.equal(langOf(codePage.html), 'en');
  assert.equal(h1Of(codePage.html), en['code.heading']);
  assert.equal(sms.locale, 'en');
  assert.match(sms.body, /is your .* sign-in code/);
});

test('no ui_locales and no Accept-Language gives English', async () => {
  const { page } = await openPhonePage(server);
  assert.equal(langOf(page.html), 'en');
  assert.equal(h1Of(page.html), en['phone.heading_sign-in']);
});

// Prototype names in ui_locales once rendered lang="constructor" and failed the SMS with a 500.
test('ui_locales=constructor falls back to English and still sends the code', async () => {
  const { browser, page } = await openPhonePage(server, authUrl(server, { ui_locales: 'constructor' }));
  assert.equal(langOf(page.html), 'en');
  const { sms } = await sendCode(browser, page);
  assert.equal(sms.locale, 'en');
});

async function sendCodeFor(phone: string) {
  const { browser, page } = await openPhonePage(server);
  return { browser, page: await submitPhone(browser, page, phone) };
}

test('pages outside a flow follow Accept-Language too: home, not found, sign-out (naming the app)', { timeout: 30_000 }, async () => {
  const german = { 'accept-language': 'de-DE,de;q=0.9' };
  const home = await new Browser(server.url).request('/', { headers: german });
  assert.equal(langOf(home.html), 'de');
  assert.ok(home.html.includes(de['home.heading']));
  const missing = await new Browser(server.url).request('/no-such-page', { headers: german });
  assert.equal(missing.status, 404);
  assert.ok(missing.html.includes(de['error.not_found']), 'the 404 page is German');
  const missingUi = await new Browser(server.url).request('/no-such-page?ui_locales=de');
  assert.ok(missingUi.html.includes(de['error.not_found']), 'ui_locales on a page outside a flow');
  // Signed in (a session to end), then the sign-out confirmation.
  const { browser, page } = await sendCodeFor(REGISTERED);
  const signedIn = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), code: await lastCode(server, REGISTERED) } });
  assert.equal(signedIn.status, 303);
  const logout = await browser.request('/session/end', { headers: german });
  assert.equal(logout.status, 200);
  assert.equal(langOf(logout.html), 'de');
  assert.ok(logout.html.includes('Möchten Sie sich von flowgate abmelden?'), logout.html.slice(0, 400));
  assert.ok(!logout.html.includes(en['logout.yes']));
});
