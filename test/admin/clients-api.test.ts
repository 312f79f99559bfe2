// /admin/api/clients: an admin API client adds a relying app (its secret in the answer only), lists
// it (never the secret), the server serves it at once, and a removal ends it; audited as the admin.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { clientService } from '../../src/admin/service/clients.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { CLIENT, startServer, type TestServer } from '../helpers/server.ts';

const BOT = { client_id: 'ops-bot', client_secret: 'ops-bot-secret-0123456789abcdef', adminApi: true };

const tokenOf = async (server: TestServer) => (await oidc.clientCredentialsGrant(
  await oidc.discovery(new URL(server.url), BOT.client_id, BOT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] }), { scope: 'admin' })).access_token;
const api = (server: TestServer, token: string, method: string, path: string, body?: unknown) => fetch(`${server.url}/admin/api${path}`, {
  method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

async function authorize(server: TestServer, clientId: string, redirectUri: string): Promise<number> {
  const url = new URL('/auth', server.url);
  const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
  for (const [k, v] of Object.entries({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' })) {
    url.searchParams.set(k, v);
  }
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}

test('admin API: add, list and remove a client; served at once; the secret only in the answer to the add', { timeout: 60_000 }, async () => {
  const server = await startServer({ config: { clients: [CLIENT, BOT] } });
  try {
    const token = await tokenOf(server);
    const added = await api(server, token, 'POST', '/clients', { client_name: 'Partner', redirect_uris: ['https://partner.example.com/cb'] });
    assert.equal(added.status, 201);
    const client = await added.json() as { client_id: string; client_secret: string; public: boolean };
    assert.equal(client.client_id, 'partner');
    assert.match(client.client_secret, /^[\w-]{43}$/);
    const listed = await (await api(server, token, 'GET', '/clients')).text();
    assert.ok(!listed.includes(client.client_secret), 'the list never has the secret');
    assert.deepEqual((JSON.parse(listed) as Array<{ client_id: string }>).map((c) => c.client_id), ['partner']);
    assert.equal(await authorize(server, 'partner', 'https://partner.example.com/cb'), 303, 'served at once');

    const taken = await api(server, token, 'POST', '/clients', { client_id: CLIENT.client_id, client_name: 'x', redirect_uris: ['https://x.example.com/cb'] });
    assert.equal(taken.status, 409, 'the config file\'s id is taken');
    const bad = await api(server, token, 'POST', '/clients', { client_name: 'y', redirect_uris: ['not a url'] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { detail: string }).detail, /redirect_uris/);

    assert.equal((await api(server, token, 'DELETE', '/clients/partner')).status, 204);
    assert.equal(await authorize(server, 'partner', 'https://partner.example.com/cb'), 400, 'refused once removed');
    assert.equal((await api(server, token, 'DELETE', '/clients/partner')).status, 404);
    const readded = await api(server, token, 'POST', '/clients', { client_id: 'partner', client_name: 'Someone else', redirect_uris: ['https://other.example.com/cb'], public: true });
    assert.equal(readded.status, 409, 'a removed client\'s id is not given again (its refresh tokens and consents would serve the new client)');
    assert.match(((await readded.json()) as { detail: string }).detail, /was removed/);
    const audit = await (await api(server, token, 'GET', '/audit?target=client:partner')).json() as Array<{ actor: string; action: string }>;
    assert.deepEqual(audit.map((a) => [a.actor, a.action]), [['client:ops-bot', 'client.delete'], ['client:ops-bot', 'client.create']]);
  } finally {
    await server.close();
  }
});

test('admin API: a redirect URI that could never work or would be dangerous is refused at the add, and the demo app\'s id is taken', { timeout: 60_000 }, async () => {
  const server = await startServer({ config: { clients: [CLIENT, BOT] } });
  try {
    const token = await tokenOf(server);
    for (const uri of ['javascript:alert(1)', 'data:text/html,hi', 'com.example.app:/cb', 'https://app.example.com/cb#x', 'https://*.example.com/cb']) {
      for (const field of ['redirect_uris', 'post_logout_redirect_uris']) {
        const res = await api(server, token, 'POST', '/clients', { client_name: 'Bad', redirect_uris: ['https://ok.example.com/cb'], [field]: [uri] });
        assert.equal(res.status, 400, `${field} ${uri}`);
        assert.match(((await res.json()) as { detail: string }).detail, new RegExp(field));
      }
    }
    const demo = await api(server, token, 'POST', '/clients', { client_id: 'demo', client_name: 'x', redirect_uris: ['https://x.example.com/cb'] });
    assert.equal(demo.status, 409, 'the demo app (served while no clients are configured) would shadow it');
    assert.deepEqual(await (await api(server, token, 'GET', '/clients')).json(), [], 'nothing was stored');
  } finally {
    await server.close();
  }
});

test('with NODE_ENV=production a client added at run time needs https redirect URIs (http only for localhost)', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-clients-'));
  const store = openSqliteStore(join(dir, 'flowgate.db'));
  try {
    const clients = clientService(store, [], Date.now, { production: true });
    await assert.rejects(clients.add({ client_name: 'Plain', redirect_uris: ['http://app.example.com/cb'] }, 'test'), /use https/);
    await assert.rejects(clients.add({ client_name: 'Plain', redirect_uris: ['https://app.example.com/cb'], post_logout_redirect_uris: ['http://app.example.com/'] }, 'test'), /use https/);
    const local = await clients.add({ client_name: 'Local', redirect_uris: ['http://127.0.0.1:8080/cb', 'http://localhost:8080/cb', 'https://app.example.com/cb'] }, 'test');
    assert.equal(local.client.client_id, 'local');
    const dev = await clientService(store, [], Date.now, { production: false }).add({ client_name: 'Dev', redirect_uris: ['http://app.test/cb'] }, 'test');
    assert.equal(dev.client.client_id, 'dev', 'outside production plain http is allowed');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
