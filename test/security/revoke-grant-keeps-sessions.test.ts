// Revoking a grant ends its tokens only (AccessToken, AuthorizationCode, RefreshToken, …), never
// the interaction or session that share its grantId: a second sign-in in the same browser, as
// another account (oidc-provider logs the first one out, revoking its grant) or while the app
// revokes a token, still reaches the redirect_uri.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, type Page } from '../helpers/browser.ts';
import { submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const SECOND = '+12025550101';

let server: TestServer;
before(async () => {
  server = await startServer({
    config: { users: [{ phone: REGISTERED, name: 'Ada Example' }, { phone: SECOND, name: 'Bob Example' }] },
  });
});
after(async () => { await server.close(); });

async function rp() {
  return oidc.discovery(new URL(server.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
}

/** Hidden inputs and action of the first form on a page (oidc-provider's self-submitting form_post page). */
function autoForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  return { action: action.replace(/&amp;/g, '&'), fields };
}

/** One sign-in with the SMS code in `browser`; submits oidc-provider's logout-first form when it shows one. */
async function signIn(browser: Browser, config: oidc.Configuration, phone: string, extra: Record<string, string> = {}, during?: () => Promise<void>) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const phonePage = await browser.go(url.href);
  assert.equal(phonePage.status, 200, `phone page: ${phonePage.html.slice(0, 300)}`);
  const codePage = await submitPhone(browser, phonePage, phone);
  assert.match(codePage.html, /one-time-code/, 'code page');
  if (during) await during();
  let back: Page = await submitCode(browser, codePage, await lastCode(server, phone));
  if (!back.location && /session\/end\/confirm/.test(back.html)) {
    const form = autoForm(back.html);
    back = await browser.go(new URL(form.action, server.url).href, { form: form.fields });
  }
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), `reached the redirect_uri, got ${back.status} ${back.location ?? /<main[\s\S]*<\/main>/.exec(back.html)?.[0]}`);
  assert.ok(new URL(back.location!).searchParams.get('code'), 'with a code');
  return oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: state });
}

test('signing in as A, then as B with prompt=login in the same browser, gives B its own ID token', { timeout: 30_000 }, async () => {
  const config = await rp();
  const browser = new Browser(server.url);
  const a = await signIn(browser, config, REGISTERED);
  const b = await signIn(browser, config, SECOND, { prompt: 'login' });
  assert.equal(a.claims()?.phone_number, REGISTERED);
  assert.equal(b.claims()?.phone_number, SECOND);
  assert.notEqual(b.claims()?.sub, a.claims()?.sub, 'the second sign-in is the other account');
  // A's grant was revoked by the logout: its refresh token is dead, B's works.
  await assert.rejects(oidc.refreshTokenGrant(config, a.refresh_token!), { error: 'invalid_grant' });
  assert.ok((await oidc.refreshTokenGrant(config, b.refresh_token!)).access_token);
});

test('a token revoked while the same browser signs in again does not end that sign-in', { timeout: 30_000 }, async () => {
  const config = await rp();
  const browser = new Browser(server.url);
  const first = await signIn(browser, config, REGISTERED);
  // The app revokes the refresh token (and with it the grant) while the second login is on the code page.
  const again = await signIn(browser, config, REGISTERED, { prompt: 'login' }, () => oidc.tokenRevocation(config, first.refresh_token!));
  assert.equal(again.claims()?.sub, first.claims()?.sub);
  await assert.rejects(oidc.refreshTokenGrant(config, first.refresh_token!), { error: 'invalid_grant' });
  assert.ok((await oidc.refreshTokenGrant(config, again.refresh_token!)).access_token);
});
