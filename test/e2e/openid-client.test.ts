// End to end with openid-client as the relying party: discovery, PKCE + state + nonce, hosted
// pages, code from the outbox, token exchange, userinfo, refresh, logout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, formAction } from '../helpers/browser.ts';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

async function rp() {
  return oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
}

test('openid-client signs in by SMS code, reads userinfo, refreshes and logs out', { timeout: 60_000 }, async () => {
  const config = await rp();
  assert.ok((config.serverMetadata().prompt_values_supported as string[] | undefined)?.includes('create'), 'discovery lists prompt=create');
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone profile email', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });

  const { browser, page, code } = await toCodePage(server, REGISTERED, url.href);
  const back = await submitCode(browser, page, await code());
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), `redirected to the app, got ${back.status} ${back.location}`);

  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
  });
  const claims = tokens.claims()!;
  assert.equal(claims.phone_number, REGISTERED);
  assert.equal(claims.phone_number_verified, true);
  assert.equal(claims.name, 'Ada Example');
  assert.equal(claims.email, 'ada@example.com');
  assert.deepEqual(claims.amr, ['sms']);
  assert.equal(typeof claims.auth_time, 'number');
  assert.ok(tokens.refresh_token, 'a refresh token is issued without a consent prompt');

  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.phone_number, REGISTERED);
  assert.equal(info.phone_number_verified, true);
  assert.equal(info.sub, claims.sub);

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.ok(refreshed.access_token);
  assert.notEqual(refreshed.access_token, tokens.access_token);
  assert.equal(refreshed.claims()?.sub, claims.sub);

  const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
  assert.equal(introspected.active, true);

  // RP-initiated logout: confirm page, then the registered post_logout_redirect_uri.
  const endUrl = oidc.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token!, post_logout_redirect_uri: CLIENT.post_logout_redirect_uris[0]!, state: 'bye',
  });
  const confirm = await browser.go(endUrl.href);
  assert.equal(confirm.status, 200);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)![1]!;
  const done = await browser.go(formAction(confirm.html, '/session/end/confirm'), { form: { xsrf, logout: 'yes' } });
  assert.ok(done.location?.startsWith(CLIENT.post_logout_redirect_uris[0]!), `logout returns to the app, got ${done.status}`);
  assert.equal(new URL(done.location!).searchParams.get('state'), 'bye');

  // The session is gone: a silent authorization request now needs a login.
  const silent = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid', prompt: 'none',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const again = await browser.go(silent.href);
  assert.equal(new URL(again.location!).searchParams.get('error'), 'login_required');

  // Revocation ends the refresh token.
  await oidc.tokenRevocation(config, refreshed.refresh_token!);
  await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), { error: 'invalid_grant' });
});

test('a first-party client never sees consent, even with prompt=consent', { timeout: 60_000 }, async () => {
  const config = await rp();
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', prompt: 'login consent', state: 's',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const { browser, page, code } = await toCodePage(server, REGISTERED, url.href);
  const back = await submitCode(browser, page, await code());
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), `no consent page: ${back.status} ${back.html.slice(0, 200)}`);
  assert.ok(new URL(back.location!).searchParams.get('code'));
});

test('rule 17: a redirect_uri that is not registered gets an error page, never a redirect', { timeout: 60_000 }, async () => {
  const browser = new Browser(server.url);
  const page = await browser.go(`${server.url}/auth?client_id=${CLIENT.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
  assert.equal(page.status, 400, 'a redirect_uri mismatch shows an error page and never redirects');
  assert.equal(page.location, undefined);
  assert.match(page.html, /redirect_uri/);
});
