// Changing the phone number on the account page (SECURITY rule 15): re-authentication inside the
// flow, the new number proven by its own code, refused after both proofs when another account has
// it (and answered like a free number until then), the old number told, other devices revoked.
import { shown } from '../helpers/phone.ts';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { hashCode } from '../../src/authenticators/sms-otp/codes.ts';
import { createLogger } from '../../src/log.ts';
import { loadSecret } from '../../src/oidc/keys.ts';
import { chooseWay, isChoosePage, isCodePage, normalized, proveByCode, signInToAccount, startChange, toNewNumberCode, uidOf } from '../helpers/account.ts';
import { Browser, csrfOf } from '../helpers/browser.ts';
import { authUrl, submitCode, submitPhone, toCodePage } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer } from '../helpers/server.ts';

const FREE = '+12025550166';
const TAKEN = '+12025550177';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('hostile: phone change with a session cookie only — nothing changes: the flow asks for a fresh proof and no step can be skipped', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    const { browser, account } = await signInToAccount(server, REGISTERED);
    assert.equal((await browser.request('/account/change-phone', { form: { csrf: 'forged' } })).status, 403, 'CSRF checked');

    const reauth = await startChange(browser, account);
    assert.ok(isCodePage(reauth), 'a code to the current number, not the new-number form');
    assert.match(reauth.html, /first confirm that it is you/);
    assert.doesNotMatch(reauth.html, /autocomplete="tel"/);
    const base = `/interaction/${uidOf(reauth)}`;
    const csrf = csrfOf(reauth.html);
    // Posting to the later steps is stale: back to the re-authentication.
    for (const [step, form] of [['new-number', { phone: FREE }], ['new-number-sms', { code: '123456' }], ['notify-old', {}]] as const) {
      const page = await browser.go(`${base}/steps/${step}`, { form: { csrf, ...form } });
      assert.ok(isCodePage(page) && page.html.includes(shown(REGISTERED)), `${step}: still the code to ${REGISTERED}`);
    }
    assert.equal((await browser.request(`${base}/flow/sign-in`, { form: { csrf } })).status, 404, 'the flow cannot be left for sign-in');
    // A relying app's own request with flow=change-phone on the same session: the proof again.
    const fromApp = await browser.go(authUrl(server, { flow: 'change-phone' }));
    assert.ok(isChoosePage(fromApp), 'flow=change-phone asks for the proof even with a session');
    const fromAppCode = await chooseWay(browser, fromApp);
    assert.ok(isCodePage(fromAppCode) && fromAppCode.html.includes(shown(REGISTERED)), 'a code to the current number');

    assert.equal((await server.store.users.findByPhone(REGISTERED))?.name, 'Ada Example');
    assert.equal(await server.store.users.findByPhone(FREE), undefined);
    assert.ok((await outboxLinesOf(server)).every((l) => l.to === REGISTERED), 'nothing sent to the new number');
  } finally {
    await server.close();
  }
});

test('a number of another account answers like a free one up to its code page, then is refused; nothing changes', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    const other = await server.store.users.create({ phone: TAKEN, phoneVerified: true, name: 'Other' });
    const taken = await signInToAccount(server, REGISTERED);
    const free = await signInToAccount(server, REGISTERED);
    const takenCode = await toNewNumberCode(server, taken.browser, taken.account, REGISTERED, TAKEN);
    const freeCode = await toNewNumberCode(server, free.browser, free.account, REGISTERED, FREE);
    assert.ok(isCodePage(takenCode));
    assert.deepEqual(normalized(takenCode, TAKEN), normalized(freeCode, FREE), 'the new number\'s code page is the same');
    const lines = await outboxLinesOf(server);
    assert.deepEqual([TAKEN, FREE].map((to) => lines.filter((l) => l.to === to).map((l) => l.usage)), [['phone-change'], ['phone-change']]);

    const refused = await proveByCode(server, taken.browser, takenCode, TAKEN);
    assert.equal(refused.status, 200);
    assert.match(refused.html, /This number cannot be used/);
    assert.match(refused.html, /Nothing was changed/);
    const ada = await server.store.users.findByPhone(REGISTERED);
    assert.equal(ada?.name, 'Ada Example', 'Ada keeps her number');
    assert.equal((await server.store.users.findByPhone(TAKEN))?.id, other.id, 'the other account keeps its number');
    assert.ok(!(await outboxLinesOf(server)).some((l) => l.usage === 'phone-changed'), 'no notice for a refused change');

    const done = await proveByCode(server, free.browser, freeCode, FREE);
    assert.match(done.html, /Phone number changed/);
    assert.equal((await server.store.users.findById(ada!.id))?.phone, FREE);
  } finally {
    await server.close();
  }
});

test('rule 15: a change needs the fresh proof, tells the old number, and revokes other devices\' refresh tokens and sessions; this device keeps working', { timeout: 60_000 }, async () => {
  let logged = '';
  const sink = new Writable({ write(chunk, _enc, done) { logged += String(chunk); done(); } });
  const server = await startServer({ log: createLogger('info', sink) });
  try {
    const rp = await oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
    const appLogin = async (browser?: Browser) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', state: 'st',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      let page;
      if (browser) page = await browser.go(url.href);
      else {
        const code = await toCodePage(server, REGISTERED, url.href);
        page = await submitCode(code.browser, code.page, await code.code());
      }
      assert.ok(page.location?.startsWith(CLIENT.redirect_uris[0]!), `expected the app redirect, got ${page.status}`);
      return oidc.authorizationCodeGrant(rp, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: 'st' });
    };
    const otherDevice = await appLogin();
    const { browser, account } = await signInToAccount(server, REGISTERED);
    const thisDevice = await appLogin(browser);
    assert.ok(otherDevice.refresh_token && thisDevice.refresh_token);

    const page = await proveByCode(server, browser, await toNewNumberCode(server, browser, account, REGISTERED, FREE), FREE);
    assert.match(page.html, /Phone number changed/);
    assert.match(page.html, new RegExp(`id="account-phone">${escape(shown(FREE))}<`));
    const notices = (await outboxLinesOf(server)).filter((l) => l.usage === 'phone-changed');
    assert.deepEqual(notices.map((l) => l.to), [REGISTERED], 'the old number (and only it) is told of the change');

    await assert.rejects(oidc.refreshTokenGrant(rp, otherDevice.refresh_token!), { error: 'invalid_grant' });
    const refreshed = await oidc.refreshTokenGrant(rp, thisDevice.refresh_token!);
    assert.equal(refreshed.claims()?.phone_number, FREE, 'this device\'s refresh token works and sees the new number');
    const again = await appLogin(browser);
    assert.equal(again.claims()?.phone_number, FREE, 'this device\'s session still signs in without a prompt');
    assert.match((await browser.go('/account')).html, new RegExp(escape(shown(FREE))));
    const line = logged.split('\n').find((l) => l.includes('phone number changed'));
    assert.ok(line, `an info line for the change: ${logged}`);
    assert.equal(JSON.parse(line).level, 30);
    for (const phone of [REGISTERED, FREE]) assert.ok(!logged.includes(phone.slice(2)), `no number in the log: ${logged}`);
  } finally {
    await server.close();
  }
});

test('rule 3: the new number\'s code is bound to usage phone-change: a sign-in code for that number does not work there', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    const { browser, account } = await signInToAccount(server, REGISTERED);
    const codePage = await toNewNumberCode(server, browser, account, REGISTERED, FREE);
    const uid = uidOf(codePage);
    // A sign-in code for the new number in this very interaction (the store holds it as the step would).
    const key = await loadSecret(server.store, 'otp-hmac');
    const now = Date.now();
    const binding = { interactionUid: uid, phone: FREE, purpose: 'sign-in' };
    await server.store.otp.replace({ id: 'injected', ...binding, codeHash: hashCode(key, binding, '424242'), attempts: 0, maxAttempts: 5, createdAt: now, expiresAt: now + 300_000 });
    const refused = await submitCode(browser, codePage, '424242');
    assert.equal(refused.status, 400);
    assert.match(refused.html, /code is not right/);
    // A real sign-in code sent to the new number by another interaction does not work either.
    const signIn = await toCodePage(server, FREE);
    const refusedToo = await submitCode(browser, refused, await signIn.code());
    assert.equal(refusedToo.status, 400);
    assert.equal((await server.store.users.findByPhone(REGISTERED))?.name, 'Ada Example', 'nothing changed yet');

    const phoneChangeCode = (await outboxLinesOf(server)).filter((l) => l.to === FREE && l.usage === 'phone-change').at(-1)!;
    const done = await submitCode(browser, refusedToo, /#(\d+)\s*$/.exec(phoneChangeCode.body)![1]!);
    assert.match(done.html, /Phone number changed/);
  } finally {
    await server.close();
  }
});

test('without a provider session, flow=change-phone signs in first, then asks for the fresh proof', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    const browser = new Browser(server.url);
    const phonePage = await browser.go(authUrl(server, { flow: 'change-phone' }));
    const signInCode = await submitPhone(browser, phonePage, REGISTERED);
    const reauth = await chooseWay(browser, await submitCode(browser, signInCode, await lastCode(server, REGISTERED)));
    assert.ok(isCodePage(reauth), `the re-authentication code page, got ${reauth.status}`);
    assert.match(reauth.html, /first confirm that it is you/);
    const numberPage = await proveByCode(server, browser, reauth, REGISTERED);
    const done = await proveByCode(server, browser, await submitPhone(browser, numberPage, FREE), FREE);
    assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!), 'back to the app with a code');
    assert.equal((await server.store.users.findByPhone(FREE))?.name, 'Ada Example');
  } finally {
    await server.close();
  }
});
