// Protocol parameters that name a stored artefact (client_id, a code, a token, an interaction) with
// a NUL character, on PostgreSQL (whose text cannot hold one): answered as unknown (4xx), never a
// 500. Such an id can name nothing: oidc-provider makes its ids, a client id is letters and digits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { CLIENT, startServer, type TestServer } from '../helpers/server.ts';

let pg: PgServer;
let server: TestServer;
before(async () => {
  pg = await startPostgres();
  server = await startServer({ store: await openPostgresStore(await pg.createDatabase()) });
});
after(async () => { await server?.close(); await pg?.destroy(); });

const basic = `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`;
const form = (path: string, body: string, auth = true) => fetch(`${server.url}${path}`, {
  method: 'POST', redirect: 'manual', body,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: basic } : {}) },
});

test('a NUL in a client id, a code, a token or an interaction uid is an unknown one (4xx), not a 500', { timeout: 60_000 }, async () => {
  const answers: Array<[string, Response]> = [
    ['/auth client_id', await fetch(`${server.url}/auth?client_id=%00x&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fa.example%2Fcb`, { redirect: 'manual' })],
    ['/session/end client_id', await fetch(`${server.url}/session/end?client_id=%00x`, { redirect: 'manual' })],
    ['/token client_id', await form('/token', 'grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fa.example%2Fcb&client_id=%00x&client_secret=y', false)],
    ['/token code', await form('/token', `grant_type=authorization_code&code=%00x&redirect_uri=${encodeURIComponent(CLIENT.redirect_uris[0]!)}`)],
    ['/token refresh_token', await form('/token', 'grant_type=refresh_token&refresh_token=%00x')],
    ['/token/introspection', await form('/token/introspection', 'token=%00x')],
    ['/token/revocation', await form('/token/revocation', 'token=%00x')],
    ['/interaction uid', await fetch(`${server.url}/interaction/%00x`, { redirect: 'manual' })],
  ];
  for (const [what, res] of answers) {
    await res.arrayBuffer();
    assert.ok(res.status < 500, `${what}: ${res.status}`);
  }
});
