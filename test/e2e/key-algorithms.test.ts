// keys.algorithm: a store's first key (and each rotation's) uses the configured algorithm, discovery
// lists only it, and openid-client verifies the ID token it signs; after a rotation to another
// algorithm only the new one is offered, while the old key still verifies what it signed.
// flowgate's own clients (account page, admin console) follow such a rotation without a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { keyService } from '../../src/admin/service/keys.ts';
import { signInToAccount } from '../helpers/account.ts';

const discover = (server: TestServer) =>
  oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });

/** An openid-client sign-in; returns the verified tokens. */
async function signIn(server: TestServer, config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const { browser, page, code } = await toCodePage(server, REGISTERED, url.href);
  const back = await submitCode(browser, page, await code());
  return oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedNonce: nonce });
}

for (const [algorithm, kty] of [['ES256', 'EC'], ['EdDSA', 'OKP']] as const) {
  test(`keys.algorithm ${algorithm}: openid-client signs in and verifies the ID token`, { timeout: 60_000 }, async () => {
    const server = await startServer({ config: { keys: { algorithm } } });
    try {
      const config = await discover(server);
      assert.deepEqual(config.serverMetadata().id_token_signing_alg_values_supported, [algorithm]);
      const jwks = (await (await fetch(config.serverMetadata().jwks_uri!)).json()) as { keys: Array<{ kty: string; alg: string; d?: string }> };
      assert.deepEqual(jwks.keys.map((k) => [k.kty, k.alg, k.d]), [[kty, algorithm, undefined]]);
      const tokens = await signIn(server, config);
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, algorithm);
      assert.equal(tokens.claims()?.phone_number, REGISTERED);
    } finally {
      await server.close();
    }
  });
}

test('a rotation from RS256 to ES256: only ES256 is offered once it is active; the RS256 key still verifies', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    const before = await signIn(server, await discover(server));
    assert.equal(decodeProtectedHeader(before.id_token!).alg, 'RS256');
    await keyService(server.store, { keys: { algorithm: 'ES256', activateAfterSeconds: 0, retireMarginSeconds: 600 } }).rotate({ signing: true }, 'test');
    const config = await discover(server);
    assert.deepEqual(config.serverMetadata().id_token_signing_alg_values_supported, ['ES256']);
    const after = await signIn(server, config);
    assert.equal(decodeProtectedHeader(after.id_token!).alg, 'ES256');
    const jwks = (await (await fetch(config.serverMetadata().jwks_uri!)).json()) as { keys: Array<{ alg: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.alg), ['ES256', 'RS256'], 'the RS256 key is still published for what it signed');
  } finally {
    await server.close();
  }
});

test('after a rotation to ES256, the account page (flowgate\'s own client) still signs in', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    await signInToAccount(server, REGISTERED); // its client has read discovery (RS256 only) by now
    await keyService(server.store, { keys: { algorithm: 'ES256', activateAfterSeconds: 0, retireMarginSeconds: 600 } }).rotate({ signing: true }, 'test');
    await signInToAccount(server, REGISTERED);
  } finally {
    await server.close();
  }
});
