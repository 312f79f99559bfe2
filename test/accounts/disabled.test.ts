// A disabled account cannot sign in: after a right code it gets the "account is disabled" page,
// not a login; its refresh token and access token find no account; registering its number shows
// "You already have an account" and creates nothing. Enabling it again lets it sign in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { createAccounts, type Accounts } from '../../src/accounts/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createGuard } from '../../src/guard/index.ts';
import { createLogger } from '../../src/log.ts';
import { authUrl, openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const DISABLED = /This account is disabled\. Contact flowgate’s support\./;
let server: TestServer;
let accounts: Accounts;
before(async () => {
  server = await startServer();
  accounts = createAccounts({ store: server.store, guard: createGuard(server.store.guard, parseConfig({}, 'test').limits, createLogger('silent'), Date.now) });
});
after(async () => { await server.close(); });

const rp = () => oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });

/** Phone → code → the page after the code, in a fresh browser. */
async function afterCode(extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const { browser, page } = await openPhonePage(server, authUrl(server, { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra }));
  const codePage = await submitPhone(browser, page, REGISTERED);
  assert.match(codePage.html, /one-time-code/, 'the code page, as for any number');
  return { verifier, page: await submitCode(browser, codePage, await lastCode(server, REGISTERED)) };
}

async function signIn(config: oidc.Configuration) {
  const { verifier, page } = await afterCode();
  assert.ok(page.location?.startsWith(CLIENT.redirect_uris[0]!), `signed in: ${page.status} ${page.html.slice(0, 300)}`);
  return oidc.authorizationCodeGrant(config, new URL(page.location!), { pkceCodeVerifier: verifier, expectedState: 'st-1', expectedNonce: 'n-1' });
}

test('a disabled account sees the disabled page after the code, and its tokens stop working', { timeout: 90_000 }, async () => {
  const config = await rp();
  const user = (await server.store.users.findByPhone(REGISTERED))!;
  const tokens = await signIn(config);
  assert.ok(tokens.refresh_token);
  assert.ok((await oidc.fetchUserInfo(config, tokens.access_token, user.id)).sub);

  // Set directly (no revocation): the provider itself must refuse a disabled account's tokens.
  await server.store.users.update(user.id, { disabledAt: Date.now() });
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), { error: 'invalid_grant' });
  await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, user.id), 'userinfo refuses the access token');

  const { page } = await afterCode();
  assert.equal(page.status, 200);
  assert.equal(page.location, undefined, 'no redirect to the app');
  assert.match(page.html, DISABLED);
  assert.doesNotMatch(page.html, /one-time-code|current-password/);
  assert.ok(!page.html.includes(await lastCode(server, REGISTERED)), 'the code is not on the page');

  const de = await afterCode({ ui_locales: 'de' });
  assert.match(de.page.html, /Dieses Konto ist deaktiviert/);
});

test('disabling through the library revokes the refresh token; registering the number creates nothing', { timeout: 90_000 }, async () => {
  const config = await rp();
  const user = (await server.store.users.findByPhone(REGISTERED))!;
  await accounts.enable(user.id, { actor: 'test' });
  const tokens = await signIn(config);
  const disabled = await accounts.disable(user.id, { actor: 'test' });
  assert.equal(disabled.kind, 'changed');
  assert.ok(disabled.kind === 'changed' && disabled.revoked > 0, 'sessions and tokens revoked');
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), { error: 'invalid_grant' });

  const before = (await server.store.users.search('', 100)).length;
  const { page } = await afterCode({ prompt: 'create' });
  assert.equal(page.status, 200);
  assert.match(page.html, /already have an account/);
  assert.equal((await server.store.users.search('', 100)).length, before, 'no second account');

  await accounts.enable(user.id, { actor: 'test' });
  const again = await signIn(config);
  assert.ok((await oidc.refreshTokenGrant(config, again.refresh_token!)).access_token, 'enabled again: signs in and refreshes');
});

test('a browser session of an account disabled behind its back asks for sign-in again, then shows the disabled page', { timeout: 90_000 }, async () => {
  const user = (await server.store.users.findByPhone(REGISTERED))!;
  await server.store.users.update(user.id, { disabledAt: null });
  const { browser, page } = await openPhonePage(server);
  const back = await submitCode(browser, await submitPhone(browser, page, REGISTERED), await lastCode(server, REGISTERED));
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), 'signed in');
  // Disabled without revoking anything (as a direct edit would): the session is still stored.
  await server.store.users.update(user.id, { disabledAt: Date.now() });
  const again = await browser.go(authUrl(server));
  assert.equal(again.status, 200, 'no 500, no silent sign-in');
  assert.match(again.html, /autocomplete="tel"/, 'the phone page again');
  const refused = await submitCode(browser, await submitPhone(browser, again, REGISTERED), await lastCode(server, REGISTERED));
  assert.equal(refused.location, undefined);
  assert.match(refused.html, DISABLED);
  await server.store.users.update(user.id, { disabledAt: null });
});
