// Strict-Transport-Security on every response when the issuer is https (pages, redirects,
// errors, protocol endpoints, assets), and never when it is http.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLIENT, startServer, type TestServer } from '../helpers/server.ts';

const HSTS = 'max-age=31536000; includeSubDomains';

let tls: TestServer;
let plain: TestServer;
before(async () => {
  tls = await startServer({ issuer: 'https://id.example.test', config: { trustProxy: true } });
  plain = await startServer();
});
after(async () => { await tls.close(); await plain.close(); });

const requests: Array<[string, RequestInit?]> = [
  ['/'],
  ['/assets/app.css'],
  ['/.well-known/openid-configuration'],
  ['/jwks'],
  [`/auth?client_id=${CLIENT.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(CLIENT.redirect_uris[0]!)}`],
  ['/auth?client_id=nobody&response_type=code&scope=openid'],
  ['/interaction/unknown'],
  ['/session/end'],
  ['/no-such-page'],
  ['/token', { method: 'POST', body: 'grant_type=authorization_code&code=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
];

async function hstsOf(server: TestServer, path: string, init?: RequestInit) {
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html' }, ...init });
  await res.arrayBuffer();
  return { status: res.status, hsts: res.headers.get('strict-transport-security') };
}

test('an https issuer sends HSTS on every response, even to a plain-HTTP request', { timeout: 30_000 }, async () => {
  for (const [path, init] of requests) {
    const { status, hsts } = await hstsOf(tls, path, init);
    assert.equal(hsts, HSTS, `${path} (${status})`);
  }
});

test('an http issuer sends no HSTS', { timeout: 30_000 }, async () => {
  for (const [path, init] of requests) {
    const { status, hsts } = await hstsOf(plain, path, init);
    assert.equal(hsts, null, `${path} (${status})`);
  }
});
