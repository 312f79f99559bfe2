// Key rotation end to end, with openid-client as the relying party and the real CLI on the same
// store: `flowgate keys rotate` publishes a new signing key, which signs once its activation time
// has come (the server's clock is moved on), while ID tokens signed before still verify against
// the JWKS; after the retire time the old key is gone. The instance is never restarted. A session
// made before a cookie key rotation still works after it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { runCommand } from '../helpers/process.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;
let server: TestServer;
/** A second instance on the same store (it only serves its JWKS here). */
let other: TestServer;
/** How far the servers' clock is ahead of the real one. */
let ahead = 0;
before(async () => {
  server = await startServer({ now: () => Date.now() + ahead });
  other = await startServer({ dir: server.dir, now: () => Date.now() + ahead });
});
after(async () => { await other.close(); await server.close(); });

const keys = (...args: string[]) => runCommand(['bin/flowgate.mjs', 'keys', ...args], { DATABASE_URL: `sqlite:${join(server.dir, 'flowgate.db')}`, FLOWGATE_CONFIG: '' });

/** A relying party as one that just started (its JWKS cache empty). */
const rp = () => oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });

/** Signs in with openid-client; returns the tokens and the browser (its session cookie). */
async function signIn(config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const { browser, page, code } = await toCodePage(server, REGISTERED, url.href);
  const back = await submitCode(browser, page, await code());
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), `back at the app: ${back.status} ${back.location}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedNonce: nonce });
  return { tokens, browser };
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;
const published = async (at = server) => ((await (await fetch(`${at.url}/jwks`)).json()) as { keys: Array<{ kid: string; d?: string }> }).keys;

test('keys rotate: new ID tokens carry the new kid, earlier ones still verify, the old key retires; cookies survive', { timeout: 120_000 }, async () => {
  const config = await rp();
  const first = await signIn(config);
  const kidA = kidOf(first.tokens.id_token!);
  assert.deepEqual((await published()).map((k) => k.kid), [kidA]);

  const rotate = await keys('rotate');
  assert.equal(rotate.code, 0, rotate.out);
  assert.match(rotate.out, /signing key \S+ \(RS256\) is published and signs from /);
  assert.match(rotate.out, /cookie key \S+ is active; the one it replaces \(\S+\) retires at /);
  const list = await keys('list');
  assert.equal(list.code, 0, list.out);
  const kidB = /^signing\s+(\S+)\s+RS256\s+next\s/m.exec(list.out)?.[1];
  assert.ok(kidB && kidB !== kidA, list.out);
  assert.match(list.out, new RegExp(`^signing\\s+${kidA}\\s+RS256\\s+active\\s`, 'm'));
  assert.doesNotMatch(list.out, /"d"|"p"|"q"|secret/, 'no private material is listed');

  // Published at once (relying parties cache it before it signs), no private member in the JWKS.
  const jwks = await published();
  assert.deepEqual(jwks.map((k) => k.kid).sort(), [kidA, kidB].sort());
  assert.ok(jwks.every((k) => k.d === undefined));
  assert.deepEqual((await published(other)).map((k) => k.kid).sort(), [kidA, kidB].sort(), 'the other instance publishes it too');
  // The session made before the cookie key rotation still works: a silent request gets a code.
  const silent = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid', prompt: 'none',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const again = await first.browser.go(silent.href);
  assert.ok(new URL(again.location!).searchParams.get('code'), `the old session still signs in silently: ${again.location}`);
  // Until its activation time the old key still signs.
  assert.equal(kidOf((await signIn(await rp())).tokens.id_token!), kidA);

  ahead = 11 * MINUTE; // past keys.activateAfterSeconds (600 s)
  const second = await signIn(await rp());
  assert.equal(kidOf(second.tokens.id_token!), kidB, 'the next sign-in is signed with the new key');
  // The earlier ID token still verifies against the JWKS the relying party fetches.
  const remote = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(first.tokens.id_token!, remote, { issuer: server.url, audience: CLIENT.client_id, currentDate: new Date(Date.now() + 1000) });
  assert.equal(payload.phone_number, REGISTERED);
  assert.deepEqual((await published()).map((k) => k.kid).sort(), [kidA, kidB].sort(), 'the old key verifies until its retire time');
  // The session made before still works after the new key took over.
  assert.ok(new URL((await first.browser.go(silent.href)).location!).searchParams.get('code'));

  ahead = 2 * 60 * MINUTE; // past the retire time: the ID token lifetime (1 h) and the margin after the new key's activation
  assert.deepEqual((await published()).map((k) => k.kid), [kidB], 'the old key is gone');
  assert.deepEqual((await published(other)).map((k) => k.kid), [kidB], 'on every instance');
  assert.equal(kidOf((await signIn(await rp())).tokens.id_token!), kidB);
});
