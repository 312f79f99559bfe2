// SECURITY.md rules 18–21 (oidc-provider's, kept on) and the authorization-code hostile inputs,
// over real HTTP: PKCE, code lifetime and replay, state/nonce, logout redirects, no implicit or
// password grants, 303 after POSTs.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl, submitCode, toCodePage } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const PUBLIC = { client_id: 'public-app', redirect_uris: ['https://spa.example.com/cb'], firstParty: true };
const OTHER = { client_id: 'other-app', client_secret: 'other-secret-0123456789abcdef', redirect_uris: ['https://other.example.com/cb'], firstParty: true };

let server: TestServer;
before(async () => { server = await startServer({ config: { clients: [CLIENT, PUBLIC, OTHER] } }); });
after(async () => { await server.close(); });

const b64url = (b: Buffer) => b.toString('base64url');
const pkce = () => { const verifier = b64url(randomBytes(32)); return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) }; };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Signs in by SMS for `params` and returns the redirect back to the app. */
async function signIn(params: Record<string, string>): Promise<URL> {
  const { browser, page, code } = await toCodePage(server, REGISTERED, authUrl(server, params));
  const back = await submitCode(browser, page, await code());
  assert.ok(back.location, `a redirect back: ${back.status} ${back.html.slice(0, 200)}`);
  return new URL(back.location);
}

async function token(form: Record<string, string>, auth?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST', body: new URLSearchParams(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

const exchange = (code: string, verifier: string, client = CLIENT) => token(
  { grant_type: 'authorization_code', code, redirect_uri: client.redirect_uris[0]!, code_verifier: verifier },
  basic(client.client_id, client.client_secret),
);

/** An authorization code for CLIENT (S256) and its verifier. */
async function codeFor(extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const back = await signIn({ code_challenge: challenge, code_challenge_method: 'S256', ...extra });
  const code = back.searchParams.get('code');
  assert.ok(code, `a code: ${back}`);
  return { code, verifier, back };
}

/** An authorization request refused: an error to the app (never a code) or an error page. */
async function refusedAuthorization(params: Record<string, string>, error: RegExp) {
  const page = await new Browser(server.url).request(authUrl(server, params));
  if (page.location && !page.location.startsWith(server.url)) {
    const back = new URL(page.location);
    assert.equal(back.searchParams.get('code'), null, 'no code');
    const fragment = new URLSearchParams(back.hash.slice(1));
    for (const leak of ['code', 'access_token', 'id_token']) assert.ok(!fragment.has(leak), `no ${leak} in the fragment`);
    assert.match(back.searchParams.get('error') ?? fragment.get('error') ?? '', error);
  } else {
    assert.ok(page.status >= 400 && page.status < 500, `refused: ${page.status} ${page.location}`);
    assert.match(page.html, error);
  }
}

test('rule 18: a public client must use PKCE S256 — no challenge and `plain` are refused; S256 works', { timeout: 30_000 }, async () => {
  const pub = { client_id: PUBLIC.client_id, redirect_uri: PUBLIC.redirect_uris[0]! };
  await refusedAuthorization(pub, /invalid_request/);
  const { verifier, challenge } = pkce();
  await refusedAuthorization({ ...pub, code_challenge: verifier, code_challenge_method: 'plain' }, /invalid_request/);
  await refusedAuthorization({ client_id: CLIENT.client_id, code_challenge: verifier, code_challenge_method: 'plain' }, /invalid_request/);
  const back = await signIn({ ...pub, code_challenge: challenge, code_challenge_method: 'S256' });
  const code = back.searchParams.get('code')!;
  assert.ok(code);
  const wrong = await token({ grant_type: 'authorization_code', client_id: PUBLIC.client_id, code, redirect_uri: PUBLIC.redirect_uris[0]!, code_verifier: pkce().verifier });
  assert.equal(wrong.body.error, 'invalid_grant', 'another verifier is refused');
});

test('hostile: code wrong verifier — the token endpoint refuses another verifier and a missing one', { timeout: 30_000 }, async () => {
  const { code } = await codeFor();
  const wrong = await exchange(code, pkce().verifier);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  assert.equal(wrong.body.access_token, undefined);
  const missing = await token({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirect_uris[0]! }, basic(CLIENT.client_id, CLIENT.client_secret));
  assert.equal(missing.body.error, 'invalid_grant', 'no verifier at all');
});

test('hostile: code wrong client — a code issued to one client is refused to another', { timeout: 30_000 }, async () => {
  const { code, verifier } = await codeFor();
  const stolen = await token(
    { grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirect_uris[0]!, code_verifier: verifier },
    basic(OTHER.client_id, OTHER.client_secret),
  );
  assert.equal(stolen.status, 400);
  assert.equal(stolen.body.error, 'invalid_grant');
  const wrongSecret = await token(
    { grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirect_uris[0]!, code_verifier: verifier },
    basic(CLIENT.client_id, 'not-the-secret-0123456789'),
  );
  assert.equal(wrongSecret.body.error, 'invalid_client');
});

test('rule 19: an authorization code lives ≤ 60 s and is single use; a replay revokes the tokens it issued', { timeout: 30_000 }, async () => {
  const { code, verifier } = await codeFor();
  const stored = await server.store.oidc.find('AuthorizationCode', code);
  assert.ok(stored, 'the code is in the store');
  const { iat, exp } = stored.payload as { iat: number; exp: number };
  assert.ok(exp - iat <= 60, `lifetime ${exp - iat} s`);

  const first = await exchange(code, verifier);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const access = first.body.access_token as string;
  const refresh = first.body.refresh_token as string;
  assert.ok(access && refresh);
  const replay = await exchange(code, verifier);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, 'invalid_grant');

  const introspect = await fetch(`${server.url}/token/introspection`, {
    method: 'POST', body: new URLSearchParams({ token: access }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(CLIENT.client_id, CLIENT.client_secret) },
  });
  assert.equal(((await introspect.json()) as { active: boolean }).active, false, 'the access token from the first exchange is revoked');
  const refreshed = await token({ grant_type: 'refresh_token', refresh_token: refresh }, basic(CLIENT.client_id, CLIENT.client_secret));
  assert.equal(refreshed.body.error, 'invalid_grant', 'and so is the refresh token');
});

test('hostile: code after expiry — an authorization code past its 60 s is refused', { timeout: 30_000 }, async () => {
  const { code, verifier } = await codeFor();
  const stored = (await server.store.oidc.find('AuthorizationCode', code))!;
  const past = Math.floor(Date.now() / 1000) - 61;
  // The code as it is stored 61 s later than its expiry (oidc-provider's clock is the real one).
  await server.store.oidc.upsert('AuthorizationCode', code, { ...stored.payload, iat: past - 60, exp: past }, Date.now() + 60_000);
  const late = await exchange(code, verifier);
  assert.equal(late.status, 400);
  assert.equal(late.body.error, 'invalid_grant');
});

test('rule 20: state and nonce round-trip unchanged; post_logout_redirect_uri must be registered', { timeout: 30_000 }, async () => {
  const state = 'a b&c=d+e/ü?%25"<>';
  const nonce = `n-${b64url(randomBytes(12))}+/=`;
  const { code, verifier, back } = await codeFor({ state, nonce });
  assert.equal(back.searchParams.get('state'), state);
  assert.equal(back.searchParams.get('iss'), server.url);
  const tokens = await exchange(code, verifier);
  const idToken = tokens.body.id_token as string;
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  assert.equal(claims.nonce, nonce);

  for (const uri of ['https://evil.example/', 'https://app.example.com/other', `${CLIENT.post_logout_redirect_uris[0]}x`]) {
    const page = await new Browser(server.url).request(`${server.url}/session/end?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: uri, state: 'bye' })}`);
    assert.equal(page.location, undefined, `${uri}: never a redirect`);
    assert.ok(page.status >= 400 && page.status < 500, `${uri}: an error page (${page.status})`);
    assert.match(page.html, /post_logout_redirect_uri/);
  }
});

test('rule 21: no implicit or hybrid responses, no password grant, and client credentials only for adminApi clients', { timeout: 30_000 }, async () => {
  const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as Record<string, string[]>;
  assert.deepEqual(discovery.response_types_supported, ['code']);
  for (const g of ['implicit', 'password']) assert.ok(!discovery.grant_types_supported!.includes(g), `${g} not offered`);
  for (const rt of ['token', 'id_token', 'id_token token', 'code id_token', 'code token']) {
    await refusedAuthorization({ response_type: rt }, /unsupported_response_type|invalid_request/);
  }
  for (const [grant, extra] of [['password', { username: REGISTERED, password: 'x' }], ['implicit', {}]] as const) {
    const res = await token({ grant_type: grant, ...extra }, basic(CLIENT.client_id, CLIENT.client_secret));
    assert.equal(res.status, 400, grant);
    assert.equal(res.body.error, 'unsupported_grant_type', grant);
  }
  // Client credentials exist for the admin API only (clients with adminApi: true, test/admin/auth.test.ts); a relying app is refused.
  const cc = await token({ grant_type: 'client_credentials', scope: 'admin' }, basic(CLIENT.client_id, CLIENT.client_secret));
  assert.equal(cc.status, 400);
  assert.match(String(cc.body.error_description), /grant type is not allowed for this client/);
});

test('rule 21: every redirect after a POST is a 303 (steps, flow switch, choice, restart, logout)', { timeout: 30_000 }, async () => {
  const seen: Array<[string, number]> = [];
  const browser = new Browser(server.url);
  const postAndCheck = async (what: string, page: Page, contains: string, form: Record<string, string>) => {
    const res = await browser.request(formAction(page.html, contains), { form: { csrf: csrfOf(page.html), ...form } });
    if (res.location) seen.push([what, res.status]);
    return res.location ? browser.go(res.location) : res;
  };
  await postAndCheck('flow switch', await browser.go(authUrl(server)), '/flow/reset-credentials', {});
  let page = await browser.go(authUrl(server));
  page = await postAndCheck('phone without a choice', page, '/steps/', { phone: REGISTERED });
  page = await postAndCheck('choice', page, '/choose', { step: 'sms' });
  page = await postAndCheck('restart', page, '/restart', {});
  page = await postAndCheck('phone', page, '/steps/', { phone: REGISTERED, then: 'sms' });
  const res = await browser.request(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), code: await lastCode(server, REGISTERED) } });
  seen.push(['right code', res.status]);
  const logout = await browser.go(`${server.url}/session/end`);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.html)![1]!;
  const out = await browser.request(formAction(logout.html, '/session/end/confirm'), { form: { xsrf, logout: 'yes' } });
  seen.push(['logout', out.status]);
  assert.ok(seen.length >= 5, `redirects seen: ${JSON.stringify(seen)}`);
  for (const [what, status] of seen) assert.equal(status, 303, `${what}: 303 See Other`);
});
