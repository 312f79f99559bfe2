// keys.algorithm: a store's first key (and each rotation's) uses the configured algorithm, discovery
// lists only it, and openid-client verifies the ID token it signs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer } from '../helpers/server.ts';

for (const [algorithm, kty] of [['ES256', 'EC'], ['EdDSA', 'OKP']] as const) {
  test(`keys.algorithm ${algorithm}: openid-client signs in and verifies the ID token`, { timeout: 60_000 }, async () => {
    const server = await startServer({ config: { keys: { algorithm } } });
    try {
      const config = await oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
      assert.deepEqual(config.serverMetadata().id_token_signing_alg_values_supported, [algorithm]);
      const jwks = (await (await fetch(config.serverMetadata().jwks_uri!)).json()) as { keys: Array<{ kty: string; alg: string; d?: string }> };
      assert.deepEqual(jwks.keys.map((k) => [k.kty, k.alg, k.d]), [[kty, algorithm, undefined]]);
      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      const { browser, page, code } = await toCodePage(server, REGISTERED, url.href);
      const back = await submitCode(browser, page, await code());
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedNonce: nonce });
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, algorithm);
      assert.equal(tokens.claims()?.phone_number, REGISTERED);
    } finally {
      await server.close();
    }
  });
}
