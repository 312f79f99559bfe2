// Issue 9, "language everywhere": every hosted page a person can reach, under ui_locales=de (and
// pages with only Accept-Language: de), is German: <html lang="de">, a German per-page <title>,
// and no visible text (text nodes, title, aria-label, alt, placeholder, button labels) that is an
// English catalogue message or an English word (test/helpers/english.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { englishReport, showsMessage, titleOf } from '../helpers/english.ts';
import { authUrl, openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { chooseWay, isChoosePage, isCodePage } from '../helpers/account.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, LOOSE_LIMITS, REGISTERED, UNREGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { createPasswordHasher } from '../../src/authenticators/password/hasher.ts';
import { de } from '../../src/web/i18n/de.ts';
import type { MessageKey } from '../../src/web/i18n/en.ts';

const PARTNER = {
  client_id: 'partner', client_secret: 'partner-secret-0123456789', client_name: 'Partner',
  redirect_uris: ['https://partner.example.com/callback'], grant_types: ['authorization_code'], firstParty: false,
};
const PASSWORD = 'amber-cobalt-thistle';
const WITH_PASSWORD = '+12025550161';
const DISABLED = '+12025550162';
const OTHER = '+12025550163';
const NEW_NUMBER = '+12025550164';
const NOBODY = '+12025550165';
const GERMAN = { 'accept-language': 'de-DE,de;q=0.9' };
/** Names from the test's own data: shown as they are, in any language. */
const DATA = ['flowgate', 'Partner', 'Ada Example', 'Demo User'];
/** Every German page title in the catalogue. */
const GERMAN_TITLES = new Set(Object.entries(de).filter(([k]) => k.startsWith('title.')).map(([, v]) => v));

let clock = Date.now();
let server: TestServer;
let limited: TestServer;
let demo: TestServer;
before(async () => {
  server = await startServer({ config: { clients: [CLIENT, PARTNER] }, now: () => clock });
  limited = await startServer({
    config: {
      limits: {
        ...LOOSE_LIMITS,
        sms: { ...LOOSE_LIMITS.sms, perNumber: { hour: 1, day: 10 } },
        guessing: { ...LOOSE_LIMITS.guessing, lockoutAfter: 3 },
      },
    },
  });
  demo = await startServer({ config: { clients: [], users: [] } });
  const hash = await createPasswordHasher().hash(PASSWORD);
  await server.store.users.create({ phone: WITH_PASSWORD, phoneVerified: true, passwordHash: hash, name: 'Ada Example' });
  await server.store.users.create({ phone: OTHER, phoneVerified: true });
  const disabled = await server.store.users.create({ phone: DISABLED, phoneVerified: true });
  await server.store.users.update(disabled.id, { disabledAt: Date.now() });
});
after(async () => {
  await server?.close();
  await limited?.close();
  await demo?.close();
});

/** The titles seen, by page name: pages of different steps must not share one. */
const titles = new Map<string, string>();

/** Asserts the page is German throughout, shows the German messages named (the state it was reached for), and returns it. */
function german(name: string, page: Page, status = 200, ...shows: MessageKey[]): Page {
  assert.equal(page.status, status, `${name}: status ${page.status}\n${page.html.slice(0, 600)}`);
  assert.match(page.html, /<html lang="de">/, `${name}: <html lang="de">`);
  const title = titleOf(page.html) ?? '';
  const m = /^(.+) · flowgate$/.exec(title);
  assert.ok(m, `${name}: the title is "<page title> · flowgate", got "${title}"`);
  assert.ok(GERMAN_TITLES.has(m[1]!), `${name}: the page title "${m[1]}" is a German catalogue title`);
  titles.set(name, m[1]!);
  // <pre> holds the demo's ID token claims and <code> a protocol error code: data, not language.
  const english = englishReport(page.html, { skip: ['pre', 'code'], allow: DATA });
  assert.deepEqual(english, [], `${name} shows English:\n${english.join('\n')}`);
  for (const key of shows) assert.ok(showsMessage(page.html, de[key]), `${name} shows ${key}: “${de[key]}”\n${page.html.slice(0, 1500)}`);
  return page;
}

const post = (browser: Browser, page: Page, contains: string, form: Record<string, string>) =>
  browser.go(formAction(page.html, contains), { form: { csrf: csrfOf(page.html), ...form } });

const deUrl = (s: TestServer, extra: Record<string, string> = {}) => authUrl(s, { ui_locales: 'de', ...extra });

/** A German sign-in up to the code page for a number (the SMS code chosen on the phone page). */
async function toCode(s: TestServer, phone: string, url = deUrl(s)) {
  const { browser, page } = await openPhonePage(s, url);
  const codePage = await submitPhone(browser, page, phone, 'sms');
  assert.ok(isCodePage(codePage), `expected the code page, got ${codePage.status}: ${codePage.html.slice(0, 300)}`);
  return { browser, codePage };
}

test('sign-in: phone page (and its error), choice, code page with every refusal, password, sign-out', { timeout: 120_000 }, async () => {
  const { browser, page } = await openPhonePage(server, deUrl(server));
  german('phone (sign-in)', page);
  german('phone error', await submitPhone(browser, page, '12'), 400, 'phone.phone_invalid');

  const choose = german('choose', await post(browser, page, '/steps/', { phone: REGISTERED }), 200, 'choose.heading', 'authenticator.sms-otp', 'authenticator.password');
  assert.ok(isChoosePage(choose), 'without a choice on the phone page, the next page asks for one');
  const code = german('code', await chooseWay(browser, choose, 'sms'), 200, 'code.heading', 'code.sent', 'code.hint');
  assert.ok(isCodePage(code));
  german('code: wrong format', await submitCode(browser, code, 'abc'), 400, 'code.code_format');
  german('code: wrong code', await submitCode(browser, code, '000000' === await lastCode(server, REGISTERED) ? '111111' : '000000'), 400, 'code.code_invalid');
  german('code: resend too soon', await post(browser, code, '/steps/', { resend: '1' }), 429, 'code.resend_too_soon');

  clock += 10 * 60_000; // past the code's lifetime and the resend cooldown
  german('code: expired', await submitCode(browser, code, await lastCode(server, REGISTERED)), 400, 'code.code_expired');
  const resent = german('code: new code sent', await post(browser, code, '/steps/', { resend: '1' }));
  const done = await submitCode(browser, resent, await lastCode(server, REGISTERED));
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!), `signed in: ${done.status}`);

  // Sign-out confirmation, then the signed-out page.
  const logout = german('sign-out', await browser.go('/session/end?ui_locales=de'));
  assert.match(logout.html, /Möchten Sie sich von flowgate abmelden\?/, 'the sign-out page names the app');
  const form = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"[\s\S]*?<\/form>/.exec(logout.html) ?? /<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"[\s\S]*?<\/form>/.exec(logout.html);
  assert.ok(form, 'the provider\'s logout form');
  // The form's own inputs and those outside it that name it (form="op.logoutForm"), as a browser sends them.
  const inputs = [...form[0].matchAll(/<input[^>]*>/g), ...logout.html.matchAll(/<input[^>]*form="op.logoutForm"[^>]*>/g)].map((i) => i[0]);
  const fields = Object.fromEntries(inputs.map((i) => [/name="([^"]+)"/.exec(i)![1]!, /value="([^"]*)"/.exec(i)?.[1] ?? '']));
  german('signed out', await browser.go(form[1]!.replace(/&amp;/g, '&'), { form: { ...fields, logout: 'yes' } }), 200, 'loggedout.body');
});

test('code page: a spent code, then a lockout and a held send (limit states)', { timeout: 120_000 }, async () => {
  const { browser, codePage } = await toCode(server, REGISTERED);
  const right = await lastCode(server, REGISTERED);
  let page = codePage;
  for (let i = 0; i < 5; i += 1) page = await submitCode(browser, codePage, right === '000000' ? '111111' : '000000');
  german('code: dead', page, 400, 'code.code_dead');

  const locked = await toCode(limited, WITH_PASSWORD);
  const wrong = (await lastCode(limited, WITH_PASSWORD)) === '000000' ? '111111' : '000000';
  for (let i = 0; i < 3; i += 1) page = await submitCode(locked.browser, locked.codePage, wrong);
  german('code: locked', page, 429, 'limit.locked');
  assert.match(page.html, /id="limit"/);

  await toCode(limited, REGISTERED); // the one code an hour this number may get
  const held = await openPhonePage(limited, deUrl(limited));
  page = await submitPhone(held.browser, held.page, REGISTERED, 'sms');
  german('code: send held', page, 429, 'limit.send_held');
  assert.match(page.html, /id="limit"/);
});

test('password page and its error; a disabled account; consent for a third-party app', { timeout: 120_000 }, async () => {
  const { browser, page } = await openPhonePage(server, deUrl(server));
  const password = german('password', await submitPhone(browser, page, WITH_PASSWORD, 'password'));
  assert.match(password.html, /autocomplete="current-password"/);
  german('password: wrong', await post(browser, password, '/steps/', { password: 'not-the-password' }), 400, 'password.password_invalid');

  const disabled = await toCode(server, DISABLED);
  german('account disabled', await submitCode(disabled.browser, disabled.codePage, await lastCode(server, DISABLED)), 200, 'disabled.heading');

  const partner = new URLSearchParams({
    client_id: PARTNER.client_id, response_type: 'code', redirect_uri: PARTNER.redirect_uris[0]!, scope: 'openid phone profile',
    state: 's', nonce: 'n', ui_locales: 'de',
  });
  const consent = await toCode(server, REGISTERED, `${server.url}/auth?${partner}`);
  const consentPage = german('consent', await submitCode(consent.browser, consent.codePage, await lastCode(server, REGISTERED)), 200, 'consent.heading', 'scope.phone', 'consent.allow');
  assert.match(consentPage.html, /\/consent"/);
});

test('register and reset: phone pages, account exists, profile, set password, no account, back to sign-in', { timeout: 120_000 }, async () => {
  // "Create an account" from the sign-in page; a number that has an account.
  let { browser, page } = await openPhonePage(server, deUrl(server));
  const register = german('phone (register)', await post(browser, page, '/flow/register', {}));
  const exists = await submitCode(browser, await submitPhone(browser, register, REGISTERED, 'sms'), await lastCode(server, REGISTERED));
  german('account exists', exists, 200, 'exists.heading');

  // A verified number without an account: on to registration, with the notice.
  const code = await toCode(server, UNREGISTERED);
  const profile = german('profile', await submitCode(code.browser, code.codePage, await lastCode(server, UNREGISTERED)), 200, 'notice.no_account_register');
  assert.match(profile.html, /autocomplete="name"/);
  german('profile: errors', await post(code.browser, profile, '/steps/', { name: '', email: 'not-an-email' }), 400, 'profile.name_required', 'profile.email_invalid');
  const setPassword = german('set password (register)', await post(code.browser, profile, '/steps/', { name: 'Grace Hopper', email: '' }));
  assert.match(setPassword.html, /autocomplete="new-password"/);
  german('set password: mismatch', await post(code.browser, setPassword, '/steps/', { password: 'violet-harbour-lantern', confirm: 'other-words-here' }), 400, 'setpw.password_mismatch');

  // Reset: the phone page, then a new password, then the sign-in page with its notice.
  ({ browser, page } = await openPhonePage(server, deUrl(server)));
  const reset = german('phone (reset)', await post(browser, page, '/flow/reset-credentials', {}));
  const resetCode = await submitPhone(browser, reset, WITH_PASSWORD, 'sms');
  const newPassword = german('set password (reset)', await submitCode(browser, resetCode, await lastCode(server, WITH_PASSWORD)));
  const again = german('sign-in after reset', await post(browser, newPassword, '/steps/', { password: 'copper-meadow-whistle', confirm: 'copper-meadow-whistle' }), 200, 'notice.password_reset_done');

  // Reset for a number without an account: told so once the number is proven.
  ({ browser, page } = await openPhonePage(server, deUrl(server)));
  const resetNobody = await post(browser, page, '/flow/reset-credentials', {});
  const nobodyCode = await submitPhone(browser, resetNobody, NOBODY, 'sms');
  let next = await submitCode(browser, nobodyCode, await lastCode(server, NOBODY));
  if (next.html.includes('autocomplete="new-password"')) next = await post(browser, next, '/steps/', { password: 'copper-meadow-whistle', confirm: 'copper-meadow-whistle' });
  german('no account', next, 200, 'noaccount.heading');
});

test('the account page, changing the number (re-auth, new number, its code, number taken)', { timeout: 120_000 }, async () => {
  const browser = new Browser(server.url);
  const signIn = german('phone (account sign-in)', await browser.go('/account?ui_locales=de'));
  const account = german('account', await submitCode(browser, await submitPhone(browser, signIn, OTHER, 'sms'), await lastCode(server, OTHER)));
  assert.match(account.html, /id="account-phone"/);

  const choose = german('choose (change phone)', await browser.go(formAction(account.html, '/account/change-phone'), { form: { csrf: csrfOf(account.html) } }));
  const reauth = german('code (re-auth)', await chooseWay(browser, choose, 'current-sms'));
  const numberPage = german('phone (new number)', await submitCode(browser, reauth, await lastCode(server, OTHER)));
  german('phone (new number): same number', await submitPhone(browser, numberPage, OTHER), 400, 'phone.phone_same_number');
  const newCode = german('code (new number)', await submitPhone(browser, numberPage, REGISTERED));
  german('number taken', await submitCode(browser, newCode, await lastCode(server, REGISTERED)), 200, 'phonetaken.heading');

  const again = await browser.go('/account');
  const choose2 = await browser.go(formAction(again.html, '/account/change-phone'), { form: { csrf: csrfOf(again.html) } });
  const reauth2 = await chooseWay(browser, choose2, 'current-sms');
  const number2 = await submitCode(browser, reauth2, await lastCode(server, OTHER));
  const code2 = await submitPhone(browser, number2, NEW_NUMBER);
  german('account: number changed', await submitCode(browser, code2, await lastCode(server, NEW_NUMBER)), 200, 'notice.phone_changed');
});

test('error pages inside and outside a flow, 404, home', { timeout: 60_000 }, async () => {
  const { browser, page } = await openPhonePage(server, deUrl(server));
  german('error: form expired (in a flow)', await browser.go(formAction(page.html, '/steps/'), { form: { csrf: 'forged', phone: REGISTERED } }), 403, 'error.csrf');
  const noFlow = formAction(page.html, '/flow/register').replace('/flow/register', '/flow/no-such-flow');
  german('error: no such flow (in a flow)', await browser.go(noFlow, { form: { csrf: csrfOf(page.html) } }), 404, 'error.not_found');

  const stranger = new Browser(server.url);
  german('error: unknown app (provider)', await stranger.go(authUrl(server, { client_id: 'nobody', ui_locales: 'de' })), 400, 'error.oidc', 'oidc.invalid_client');
  const mismatch = german('error: redirect_uri (provider)', await stranger.go(authUrl(server, { redirect_uri: 'https://evil.example/cb', ui_locales: 'de' })), 400, 'oidc.invalid_redirect_uri');
  assert.match(mismatch.html, /<code>invalid_redirect_uri<\/code>/, 'the code stays for the app\'s developer');
  assert.doesNotMatch(mismatch.html, /did not match/, 'not the library\'s English description');
  assert.ok(showsMessage(mismatch.html, 'Das Problem liegt im Anfrageparameter redirect_uri.'), 'the parameter at fault, for the developer');
  german('error: interaction gone', await stranger.go('/interaction/no-such-uid?ui_locales=de'), 400, 'error.session_not_found');

  german('404', await stranger.go('/no-such-page?ui_locales=de'), 404, 'error.not_found');
  german('404 under /account', await stranger.go('/account/no-such-page?ui_locales=de'), 404, 'error.not_found');
  german('home', await stranger.go('/?ui_locales=de'), 200, 'home.heading');
});

test('Accept-Language: de alone: the sign-in pages, home, 404, sign-out', { timeout: 60_000 }, async () => {
  const browser = new Browser(server.url, GERMAN);
  const page = german('phone (Accept-Language)', await browser.go(authUrl(server)));
  const code = german('code (Accept-Language)', await submitPhone(browser, page, REGISTERED, 'sms'));
  await submitCode(browser, code, await lastCode(server, REGISTERED));
  german('sign-out (Accept-Language)', await browser.go('/session/end'), 200, 'logout.yes');
  german('home (Accept-Language)', await browser.go('/'));
  german('404 (Accept-Language)', await browser.go('/no-such-page'), 404);
});

test('the demo: home, its sign-in and the result page stay in the language the person chose', { timeout: 60_000 }, async () => {
  const browser = new Browser(demo.url);
  const home = german('home (demo)', await browser.go('/?ui_locales=de'), 200, 'home.demo', 'home.try');
  const phone = german('phone (demo)', await browser.go(formAction(home.html, '/demo/login'), { method: 'POST' }));
  const code = await submitPhone(browser, phone, REGISTERED, 'sms');
  const result = german('demo result', await submitCode(browser, code, await lastCode(demo, REGISTERED)), 200, 'demo.heading');
  assert.match(result.html, /id="claims"/);
});

test('each step has its own title: code differs from phone, register and reset from sign-in', { timeout: 10_000 }, () => {
  const t = (name: string) => { assert.ok(titles.has(name), `${name} was walked`); return titles.get(name)!; };
  assert.notEqual(t('code'), t('phone (sign-in)'));
  assert.notEqual(t('phone (register)'), t('phone (sign-in)'));
  assert.notEqual(t('phone (reset)'), t('phone (sign-in)'));
  assert.notEqual(t('password'), t('code'));
  assert.notEqual(t('404'), t('error: form expired (in a flow)'));
  assert.notEqual(t('sign-out'), t('signed out'));
});
