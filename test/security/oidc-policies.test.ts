// oidc-provider's policies, configured on purpose (src/oidc/policies.ts), so it prints no
// "you SHOULD change it" notice: a client introspects and revokes only its own tokens (another's
// is answered as unknown), and CORS at the token endpoint is for public clients from their
// redirect URIs' origins only.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { authUrl, submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const PUBLIC = { client_id: 'spa', redirect_uris: ['https://spa.example.com/cb'], firstParty: true };
const OTHER = { client_id: 'other-app', client_secret: 'other-secret-0123456789abcdef', redirect_uris: ['https://other.example.com/cb'], firstParty: true };

// oidc-provider's notices go through console.info / console.warn in this process.
const printed: string[] = [];
const originals = { info: console.info, warn: console.warn, log: console.log };
for (const name of ['info', 'warn', 'log'] as const) {
  console[name] = (...args: unknown[]) => { printed.push(args.map(String).join(' ')); originals[name](...args); };
}

let server: TestServer;
before(async () => { server = await startServer({ config: { clients: [CLIENT, PUBLIC, OTHER] } }); });
after(async () => { await server.close(); Object.assign(console, originals); });

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function post(path: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams(body), headers: { ...form, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** CLIENT's access and refresh tokens, from a real SMS sign-in. */
async function clientTokens(): Promise<{ access: string; refresh: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const { browser, page, code } = await toCodePage(server, REGISTERED, authUrl(server, { code_challenge: challenge, code_challenge_method: 'S256' }));
  const back = await submitCode(browser, page, await code());
  const authCode = new URL(back.location!).searchParams.get('code')!;
  const res = await post('/token', { grant_type: 'authorization_code', code: authCode, redirect_uri: CLIENT.redirect_uris[0]!, code_verifier: verifier },
    { authorization: basic(CLIENT.client_id, CLIENT.client_secret) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
}

test('a client may introspect its own token; another client learns nothing about it', { timeout: 60_000 }, async () => {
  const { access } = await clientTokens();
  const own = await post('/token/introspection', { token: access }, { authorization: basic(CLIENT.client_id, CLIENT.client_secret) });
  assert.equal(own.body.active, true);
  const other = await post('/token/introspection', { token: access }, { authorization: basic(OTHER.client_id, OTHER.client_secret) });
  assert.equal(other.status, 200);
  assert.deepEqual(other.body, { active: false }, 'answered exactly as an unknown token');
});

test("a client cannot revoke another client's token; it may revoke its own", { timeout: 60_000 }, async () => {
  const { refresh } = await clientTokens();
  const other = await post('/token/revocation', { token: refresh }, { authorization: basic(OTHER.client_id, OTHER.client_secret) });
  assert.equal(other.status, 200, 'answered as an unknown token (RFC 7009)');
  const still = await post('/token/introspection', { token: refresh }, { authorization: basic(CLIENT.client_id, CLIENT.client_secret) });
  assert.equal(still.body.active, true, 'the token was not revoked');
  const own = await post('/token/revocation', { token: refresh }, { authorization: basic(CLIENT.client_id, CLIENT.client_secret) });
  assert.equal(own.status, 200);
  const gone = await post('/token/introspection', { token: refresh }, { authorization: basic(CLIENT.client_id, CLIENT.client_secret) });
  assert.equal(gone.body.active, false, 'revoked by its own client');
});

test("CORS at the token endpoint: a public client's redirect origin only; never another origin or a confidential client", { timeout: 30_000 }, async () => {
  const attempt = (client: string, origin: string, auth?: string) => post('/token',
    { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'https://spa.example.com/cb', code_verifier: 'v'.repeat(43), ...(auth ? {} : { client_id: client }) },
    { origin, ...(auth ? { authorization: auth } : {}) });

  const allowed = await attempt(PUBLIC.client_id, 'https://spa.example.com');
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://spa.example.com');
  assert.equal(allowed.body.error, 'invalid_grant', 'the request itself went on (a made-up code)');

  for (const origin of ['https://evil.example', 'https://spa.example.com:8443', 'http://spa.example.com', 'null']) {
    const refused = await attempt(PUBLIC.client_id, origin);
    assert.equal(refused.headers.get('access-control-allow-origin'), null, origin);
    assert.equal(refused.status, 400, origin);
  }
  const confidential = await attempt(CLIENT.client_id, 'https://app.example.com', basic(CLIENT.client_id, CLIENT.client_secret));
  assert.equal(confidential.headers.get('access-control-allow-origin'), null, 'a confidential client is used from a server, not a browser');
});

test('oidc-provider printed no "you SHOULD change it" notice', () => {
  assert.deepEqual(printed.filter((l) => /SHOULD|MUST change/.test(l)), []);
});
