// /admin/api/keys: the ring without private material, and a rotation by an admin API client. The
// admin token signed before the rotation still works after it, a new one is signed by the new key,
// and a rotation of cookie keys the config file sets is refused with a clear 409.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { CLIENT, startServer, type TestServer } from '../helpers/server.ts';

const BOT = { client_id: 'ops-bot', client_secret: 'ops-bot-secret-0123456789abcdef', adminApi: true };

const tokenOf = async (server: TestServer) => (await oidc.clientCredentialsGrant(
  await oidc.discovery(new URL(server.url), BOT.client_id, BOT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] }), { scope: 'admin' })).access_token;
const api = (server: TestServer, token: string, path: string, body?: unknown) => fetch(`${server.url}/admin/api${path}`, {
  method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

test('admin API: list and rotate the keys; tokens signed before still work', { timeout: 60_000 }, async () => {
  const server = await startServer({ config: { clients: [CLIENT, BOT] } });
  try {
    const before = await tokenOf(server);
    const listed = await api(server, before, '/keys');
    assert.equal(listed.status, 200);
    const text = await listed.text();
    assert.doesNotMatch(text, /"d"|"jwk"|"secret"/, 'no private material');
    const rows = JSON.parse(text) as Array<{ kind: string; id: string; state: string }>;
    assert.deepEqual(rows.map((r) => [r.kind, r.state]), [['signing', 'active'], ['cookie', 'active']]);

    const rotated = await api(server, before, '/keys/rotate', { signing: true, now: true });
    assert.equal(rotated.status, 200);
    const done = await rotated.json() as { added: Array<{ kind: string; id: string; replaced: { id: string } }> };
    assert.deepEqual(done.added.map((a) => [a.kind, a.replaced.id]), [['signing', rows[0]!.id]]);
    assert.equal((await api(server, before, '/me')).status, 200, 'the token signed by the replaced key still works');
    const after = await tokenOf(server);
    assert.equal(decodeProtectedHeader(after).kid, done.added[0]!.id, 'a new token is signed by the new key');
    assert.equal((await api(server, after, '/me')).status, 200);
    const audit = await (await api(server, after, '/audit?target=keys')).json() as Array<{ actor: string; action: string }>;
    assert.deepEqual(audit.map((a) => [a.actor, a.action]), [['client:ops-bot', 'keys.rotate']]);
    assert.equal((await api(server, after, '/keys/rotate', { everything: true })).status, 422, 'an unknown field is refused');
  } finally {
    await server.close();
  }
});

test('admin API: cookie keys set in the config file are not rotated in the store (409)', { timeout: 60_000 }, async () => {
  const server = await startServer({ config: { clients: [CLIENT, BOT], cookieKeys: ['k'.repeat(40)] } });
  try {
    const res = await api(server, await tokenOf(server), '/keys/rotate', { cookie: true });
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { detail: string }).detail, /cookieKeys is set in the config file/);
  } finally {
    await server.close();
  }
});
