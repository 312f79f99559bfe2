// flowgate's own cookie jar: signed (readable, tamper proof) and sealed (AES-GCM: unreadable too),
// bound to the cookie's name and expiry, HttpOnly, SameSite=Lax, scoped, Secure when asked.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { createCookieJar } from '../../src/web/cookies.ts';

async function serve(jar: ReturnType<typeof createCookieJar>, now: () => number) {
  const app = express();
  app.get('/admin/set', (_req, res) => { jar.write(res, 'flowgate_admin', { token: 'eyJsecret-token' }, 60_000, now()); res.end(); });
  app.get('/admin/get', (req, res) => { res.json(jar.read(req, 'flowgate_admin', now()) ?? null); });
  app.get('/admin/other', (req, res) => { res.json(jar.read(req, 'other', now()) ?? null); });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

test('a sealed cookie hides its payload, refuses tampering, another name and expiry; its flags are set', { timeout: 20_000 }, async () => {
  let clock = 1_000_000;
  const s = await serve(createCookieJar(randomBytes(32), { path: '/admin', secure: true, sealed: true }), () => clock);
  try {
    const set = await fetch(`${s.url}/admin/set`);
    const line = set.headers.getSetCookie()[0]!;
    assert.match(line, /; Path=\/admin/);
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; Secure/);
    assert.match(line, /; SameSite=Lax/);
    const value = line.split(';')[0]!.slice('flowgate_admin='.length);
    assert.doesNotMatch(Buffer.from(value, 'base64url').toString('latin1'), /secret-token/, 'the payload is not readable');
    const get = async (path: string, cookie: string) => (await fetch(`${s.url}${path}`, { headers: { cookie } })).json();
    assert.equal(((await get('/admin/get', `flowgate_admin=${value}`)) as { token: string }).token, 'eyJsecret-token');
    const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
    assert.equal(await get('/admin/get', `flowgate_admin=${flipped}`), null, 'tampered');
    assert.equal(await get('/admin/other', `other=${value}`), null, 'bound to its name');
    assert.equal(await get('/admin/get', 'flowgate_admin=%%%'), null);
    clock += 61_000;
    assert.equal(await get('/admin/get', `flowgate_admin=${value}`), null, 'expired');
  } finally {
    await s.close();
  }
});

test('a signed cookie from another key is refused; without secure there is no Secure flag', { timeout: 20_000 }, async () => {
  const a = await serve(createCookieJar(randomBytes(32), { path: '/admin', secure: false }), () => 1);
  const b = await serve(createCookieJar(randomBytes(32), { path: '/admin', secure: false }), () => 1);
  try {
    const line = (await fetch(`${a.url}/admin/set`)).headers.getSetCookie()[0]!;
    assert.doesNotMatch(line, /Secure/);
    const cookie = line.split(';')[0]!;
    assert.ok(await (await fetch(`${a.url}/admin/get`, { headers: { cookie } })).json());
    assert.equal(await (await fetch(`${b.url}/admin/get`, { headers: { cookie } })).json(), null);
  } finally {
    await a.close();
    await b.close();
  }
});
