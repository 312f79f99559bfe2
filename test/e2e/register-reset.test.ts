// Registration (prompt=create) and reset-credentials, end to end with openid-client.
import { blankPhone } from '../helpers/phone.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, startServer, type TestServer } from '../helpers/server.ts';

const NEW_PHONE = '+12025550150';
const FIRST_PASSWORD = 'violet-harbour-lantern';
const SECOND_PASSWORD = 'copper-meadow-whistle';

let server: TestServer;
let rp: oidc.Configuration;
before(async () => {
  server = await startServer();
  rp = await oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
});
after(async () => { await server.close(); });

async function start(extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone profile email', state: 'st',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const browser = new Browser(server.url);
  return { browser, verifier, page: await browser.go(url.href) };
}

const post = (browser: Browser, page: Page, contains: string, form: Record<string, string>) =>
  browser.go(formAction(page.html, contains), { form: { csrf: csrfOf(page.html), ...form } });

async function finish(verifier: string, page: Page) {
  assert.ok(page.location?.startsWith(CLIENT.redirect_uris[0]!), `expected the app redirect, got ${page.status}: ${page.html.slice(0, 400)}`);
  return oidc.authorizationCodeGrant(rp, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: 'st' });
}

async function signInWithPassword(password: string) {
  const { browser, verifier, page } = await start();
  const codePage = await post(browser, page, '/steps/', { phone: NEW_PHONE, then: 'sms' });
  const pwPage = await post(browser, codePage, '/choose', { step: 'password' });
  assert.match(pwPage.html, /autocomplete="current-password"/);
  const done = await post(browser, pwPage, '/steps/', { password });
  return { verifier, done };
}

let refreshBeforeReset = '';

test('prompt=create registers a new person by phone; they then sign in by SMS and by password', { timeout: 60_000 }, async () => {
  const { browser, verifier, page } = await start({ prompt: 'create' });
  assert.match(page.html, /Create your account/);
  const codePage = await post(browser, page, '/steps/', { phone: NEW_PHONE, then: 'sms' });
  assert.equal((await outboxLinesOf(server)).at(-1)!.usage, 'register');
  const profile = await post(browser, codePage, '/steps/', { code: await lastCode(server, NEW_PHONE) });
  assert.match(profile.html, /autocomplete="name"/);
  const pwPage = await post(browser, profile, '/steps/', { name: 'Grace Hopper', email: 'Grace@Example.com' });
  assert.match(pwPage.html, /autocomplete="new-password"/);
  const tokens = await finish(verifier, await post(browser, pwPage, '/steps/', { password: FIRST_PASSWORD, confirm: FIRST_PASSWORD }));
  const claims = tokens.claims()!;
  assert.equal(claims.phone_number, NEW_PHONE);
  assert.equal(claims.phone_number_verified, true);
  assert.equal(claims.name, 'Grace Hopper');
  assert.equal(claims.email, 'grace@example.com');

  const sms = await start();
  const smsCode = await post(sms.browser, sms.page, '/steps/', { phone: NEW_PHONE, then: 'sms' });
  const bySms = await finish(sms.verifier, await post(sms.browser, smsCode, '/steps/', { code: await lastCode(server, NEW_PHONE) }));
  assert.equal(bySms.claims()!.sub, claims.sub);

  const { verifier: v2, done } = await signInWithPassword(FIRST_PASSWORD);
  const byPassword = await finish(v2, done);
  assert.equal(byPassword.claims()!.sub, claims.sub);
  assert.deepEqual(byPassword.claims()!.amr, ['pwd']);
  refreshBeforeReset = byPassword.refresh_token!;
  assert.ok(refreshBeforeReset);
});

test('registering a number that has an account offers sign-in as soon as the number is proven', { timeout: 60_000 }, async () => {
  const { browser, page } = await start({ prompt: 'create' });
  const codePage = await post(browser, page, '/steps/', { phone: NEW_PHONE, then: 'sms' });
  const exists = await post(browser, codePage, '/steps/', { code: await lastCode(server, NEW_PHONE) });
  assert.equal(exists.status, 200);
  assert.match(exists.html, /already have an account/);
  assert.doesNotMatch(exists.html, /autocomplete="name"/, 'no profile form for an existing account');
});

test('rule 16: reset by SMS code does not sign in by itself; the new password works, the old one fails, an earlier refresh token is refused', { timeout: 60_000 }, async () => {
  assert.ok(refreshBeforeReset, 'needs the registration test');
  const { browser, page } = await start();
  const resetPage = await post(browser, page, '/flow/reset-credentials', {});
  assert.match(resetPage.html, /Reset your password/);
  const codePage = await post(browser, resetPage, '/steps/', { phone: NEW_PHONE, then: 'sms' });
  assert.equal((await outboxLinesOf(server)).at(-1)!.usage, 'reset');
  assert.match((await outboxLinesOf(server)).at(-1)!.body, /reset your password/);
  const newPw = await post(browser, codePage, '/steps/', { code: await lastCode(server, NEW_PHONE) });
  const weak = await post(browser, newPw, '/steps/', { password: 'password123', confirm: 'password123' });
  assert.equal(weak.status, 400);
  assert.match(weak.html, /too common/);
  const sentBefore = (await outboxLinesOf(server)).length;
  const signInAgain = await post(browser, weak, '/steps/', { password: SECOND_PASSWORD, confirm: SECOND_PASSWORD });
  assert.match(signInAgain.html, /Your password has been changed/);
  // Back to sign-in with the number the reset proved: no typing it again, no second code.
  assert.match(signInAgain.html, /How do you want to sign in/, 'back to sign-in, at the choice of a way');
  const bySms = await post(browser, signInAgain, '/choose', { step: 'sms' });
  assert.ok(bySms.location?.startsWith(CLIENT.redirect_uris[0]!), `the proven number signs in without a second code (got ${bySms.status} ${bySms.html.match(/<h1>.*/)?.[0]} ${bySms.html.match(/class="(error|notice)"[^<]*/)?.[0]})`);
  assert.equal((await outboxLinesOf(server)).length, sentBefore, 'no SMS after the reset');

  await assert.rejects(oidc.refreshTokenGrant(rp, refreshBeforeReset), { error: 'invalid_grant' });
  const old = await signInWithPassword(FIRST_PASSWORD);
  assert.equal(old.done.status, 400);
  assert.match(old.done.html, /password is not right/);
  const fresh = await signInWithPassword(SECOND_PASSWORD);
  assert.equal((await finish(fresh.verifier, fresh.done)).claims()!.phone_number, NEW_PHONE);
});

test('reset answers registered and unregistered numbers alike until the code is proven', { timeout: 60_000 }, async () => {
  const answer = async (phone: string) => {
    const { browser, page } = await start();
    const resetPage = await post(browser, page, '/flow/reset-credentials', {});
    const uid = new URL(formAction(resetPage.html, '/steps/'), server.url).pathname.split('/')[2]!;
    const res = await browser.go(formAction(resetPage.html, '/steps/'), { form: { csrf: csrfOf(resetPage.html), phone, then: 'sms' } });
    assert.match(res.html, /one-time-code/);
    return { status: res.status, cookies: res.headers.getSetCookie(), body: blankPhone(res.html.replaceAll(uid, 'UID').replaceAll(csrfOf(resetPage.html), 'CSRF'), phone).replace(/data-resend-at="[^"]+"/, '') };
  };
  assert.deepEqual(await answer('+12025550188'), await answer(NEW_PHONE));
});

test('hostile: right code 50× in parallel — in a multi-step flow (register) one submission moves on to the next step', { timeout: 60_000 }, async () => {
  const { browser, page } = await start({ prompt: 'create' });
  const codePage = await post(browser, page, '/steps/', { phone: '+12025550151', then: 'sms' });
  const code = await lastCode(server, '+12025550151');
  const action = formAction(codePage.html, '/steps/');
  const results = await Promise.all(Array.from({ length: 50 }, () => browser.request(action, { form: { csrf: csrfOf(codePage.html), code } })));
  // Post/Redirect/Get: every submission answers with a redirect to the interaction's page.
  const interactionPage = new URL(action.replace(/\/steps\/.*$/, ''), server.url).href;
  assert.deepEqual(results.map((r) => [r.status, r.location]), results.map(() => [303, interactionPage]));
  const now = await browser.go(interactionPage);
  assert.match(now.html, /autocomplete="name"/, 'one submission moved on: the flow is on the profile step');
  assert.doesNotMatch(now.html, /class="error"/, 'and the page shows no error from the losing submissions');
});
