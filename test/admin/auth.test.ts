// Admin API access: client credentials JWTs of adminApi clients, the console's sign-in through its
// own client (flowgate-admin) for accounts with the admin role, and the 401/403 problem documents.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { parseConfig } from '../../src/config/load.ts';

const BOT = { client_id: 'ops-bot', client_secret: 'ops-bot-secret-0123456789abcdef', adminApi: true };
const T = { timeout: 60_000 };

let server: TestServer;
before(async () => {
  server = await startServer({ config: { clients: [CLIENT, BOT] } });
});
after(async () => { await server?.close(); });

const insecure = { execute: [oidc.allowInsecureRequests] };
const discover = (client: { client_id: string; client_secret: string }) =>
  oidc.discovery(new URL(server.url), client.client_id, client.client_secret, undefined, insecure);

const me = (headers: Record<string, string> = {}, method = 'GET') => fetch(`${server.url}/admin/api/me`, { method, headers });

async function problemOf(res: Response) {
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  return await res.json() as { type: string; status: number; detail?: string };
}

test('an adminApi client gets a JWT for the admin API by client credentials and reaches /admin/api/me', T, async () => {
  const tokens = await oidc.clientCredentialsGrant(await discover(BOT), { scope: 'admin' });
  const claims = decodeJwt(tokens.access_token);
  assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
  assert.equal(claims.aud, `${server.url}/admin/api`, 'the resource defaults to the admin API');
  assert.equal(claims.iss, server.url);
  assert.equal(claims.scope, 'admin');
  assert.ok(claims.exp! - claims.iat! <= 15 * 60, 'short-lived');
  const res = await me({ authorization: `Bearer ${tokens.access_token}` });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await res.json(), { actor: 'client:ops-bot', kind: 'client' });
});

test('an adminApi client naming the resource explicitly gets the same token; an unknown resource is refused', T, async () => {
  const config = await discover(BOT);
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'admin', resource: `${server.url}/admin/api` });
  assert.equal((await me({ authorization: `Bearer ${tokens.access_token}` })).status, 200);
  await assert.rejects(oidc.clientCredentialsGrant(config, { scope: 'admin', resource: 'https://elsewhere.example.com/' }),
    (err: oidc.ResponseBodyError) => err.error === 'invalid_target');
});

test('an adminApi token without the admin scope gets 403 insufficient_scope', T, async () => {
  const tokens = await oidc.clientCredentialsGrant(await discover(BOT), {});
  const res = await me({ authorization: `Bearer ${tokens.access_token}` });
  assert.equal(res.status, 403);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="flowgate-admin", error="insufficient_scope", scope="admin"$/);
  const problem = await problemOf(res);
  assert.equal(problem.type, 'urn:flowgate:problem:forbidden');
  assert.match(problem.detail ?? '', /scope=admin/);
});

test('a client without adminApi gets no admin token', T, async () => {
  const config = await discover(CLIENT);
  // Only adminApi clients have the client credentials grant (the config refuses it for others).
  for (const params of [{ scope: 'admin' }, { scope: 'admin', resource: `${server.url}/admin/api` }] as Record<string, string>[]) {
    await assert.rejects(oidc.clientCredentialsGrant(config, params),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_request' && /grant type is not allowed/.test(err.error_description ?? ''));
  }
});

test('no token → 401 problem document with WWW-Authenticate and a sentence saying what to do', T, async () => {
  const res = await me();
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="flowgate-admin"');
  const problem = await problemOf(res);
  assert.equal(problem.type, 'urn:flowgate:problem:unauthorized');
  assert.equal(problem.status, 401);
  assert.match(problem.detail ?? '', /admin scope from the client credentials grant of a client with adminApi: true/);
  // Every path under /admin/api is behind the same gate, routed or not.
  assert.equal((await fetch(`${server.url}/admin/api/anything`)).status, 401);
});

test('a garbage, malformed or foreign token → 401 invalid_token', T, async () => {
  const forged = forgedTokens();
  for (const authorization of ['Bearer garbage', 'Bearer a.b.c', 'Basic b3BzOnNlY3JldA==', `Bearer ${'x'.repeat(9000)}`, 'Bearer',
    ...forged.map((t) => `Bearer ${t}`)]) {
    const res = await me({ authorization });
    assert.equal(res.status, 401, authorization.slice(0, 40));
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="flowgate-admin", error="invalid_token"');
    assert.equal((await problemOf(res)).type, 'urn:flowgate:problem:unauthorized');
  }
});

test('an expired admin token → 401 saying it expired', T, async () => {
  const tokens = await oidc.clientCredentialsGrant(await discover(BOT), { scope: 'admin' });
  const later = await startServer({ dir: server.dir, keepDir: true, config: { clients: [CLIENT, BOT] }, issuer: server.url, now: () => Date.now() + 16 * 60_000 });
  try {
    const res = await fetch(`${later.url}/admin/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(res.status, 401);
    assert.match((await problemOf(res)).detail ?? '', /expired/);
  } finally {
    await later.close();
  }
});

/** /admin → the console's sign-in (phone, SMS code) → back on /admin. */
async function signInThroughConsole(browser: Browser) {
  const phonePage = await browser.go('/admin');
  assert.match(phonePage.html, /autocomplete="tel"/, `expected the sign-in page, got ${phonePage.status}`);
  const codePage = await submitPhone(browser, phonePage, REGISTERED);
  const page = await submitCode(browser, codePage, await lastCode(server, REGISTERED));
  const session = browser.cookies.find((c) => c.name === 'flowgate_admin');
  // The sealed cookie holds the token unreadably: no JWT segment shows through.
  assert.ok(session && !/eyJ/.test(session.value), 'a sealed console session');
  return { page };
}

/** Tokens that claim the admin scope for the right audience but are not signed by us (bad signature, alg none). */
function forgedTokens(): string[] {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = b64({ iss: server.url, aud: `${server.url}/admin/api`, sub: 'ops-bot', client_id: 'ops-bot', scope: 'admin', exp: 9_999_999_999 });
  return [
    `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${body}.${Buffer.from('not-a-signature').toString('base64url')}`,
    `${b64({ alg: 'none', typ: 'at+jwt' })}.${body}.`,
  ];
}

test('the console: a non-admin gets the 403 page; with the admin role the console session reaches /admin/api/me; losing the role ends it', T, async () => {
  const browser = new Browser(server.url);
  const { page } = await signInThroughConsole(browser);
  assert.equal(page.status, 403);
  assert.match(page.html, /This account is not an admin\. An admin can grant the role with:/);
  assert.match(page.html, /flowgate admin grant --phone &lt;number&gt;/);
  assert.doesNotMatch(page.html, /eyJ/, 'no token on the page');
  const denied = await browser.request('/admin/api/me', { headers: { accept: 'application/json' } });
  assert.equal(denied.status, 403);
  assert.match(denied.html, /not an admin/);

  const user = (await server.store.users.findByPhone(REGISTERED))!;
  await server.store.users.update(user.id, { roles: ['admin'] });
  // Signing in again (the provider session stays): the grant now carries the admin scope.
  const back = await browser.go('/admin/login');
  assert.notEqual(back.status, 403, back.html.slice(0, 300));
  const ok = await browser.request('/admin/api/me', { headers: { accept: 'application/json' } });
  assert.equal(ok.status, 200, ok.html);
  assert.deepEqual(JSON.parse(ok.html), { actor: `user:${user.id}`, kind: 'user' });

  // A cookie-authenticated change needs the console's CSRF header.
  const posted = await browser.request('/admin/api/me', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(posted.status, 403);
  assert.match(posted.html, /x-flowgate-csrf/);

  // The role is checked on every request, not only at sign-in.
  await server.store.users.update(user.id, { disabledAt: Date.now() });
  assert.equal((await browser.request('/admin/api/me')).status, 403);
  await server.store.users.update(user.id, { disabledAt: null, roles: [] });
  assert.equal((await browser.request('/admin/api/me')).status, 403);
  const consolePage = await browser.request('/admin');
  assert.equal(consolePage.status, 403);

  // Sign out clears the console session (CSRF-checked).
  assert.equal((await browser.request('/admin/logout', { form: { csrf: 'wrong' } })).status, 403);
  const out = await browser.request(formAction(consolePage.html, '/admin/logout'), { form: { csrf: csrfOf(consolePage.html) } });
  assert.equal(out.status, 303);
  assert.ok(!browser.cookies.some((c) => c.name === 'flowgate_admin'));
  const again = await browser.request('/admin');
  assert.equal(again.status, 303);
  assert.equal(again.location, `${server.url}/admin/login`);
});

test('config: flowgate-admin is reserved; an adminApi client needs a secret; client_credentials needs adminApi', T, async () => {
  await assert.rejects(startServer({ config: { clients: [{ ...CLIENT, client_id: 'flowgate-admin' }] } }), /flowgate-admin.*admin console client/);
  assert.throws(() => parseConfig({ clients: [{ client_id: 'bot', adminApi: true }] }), /clients\.0\.client_secret: an adminApi client needs a client_secret/);
  assert.throws(() => parseConfig({ clients: [{ ...CLIENT, grant_types: ['client_credentials'] }] }), /client_credentials is for admin API clients only/);
  assert.throws(() => parseConfig({ clients: [{ client_id: 'web', client_secret: BOT.client_secret }] }), /redirect_uris: the authorization_code grant needs at least one redirect URI/);
  const bot = parseConfig({ clients: [BOT] }).clients[0]!;
  assert.deepEqual(bot.grant_types, ['client_credentials']);
  assert.deepEqual(parseConfig({ clients: [CLIENT] }).clients[0]!.grant_types, ['authorization_code', 'refresh_token']);
});
