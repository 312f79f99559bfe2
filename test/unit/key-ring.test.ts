// The key ring's rules: states by time, what a rotation keeps, what the provider is given, and two
// rotations at once (two store instances on one file) both landing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { rotated, statesOf, viewOf } from '../../src/oidc/key-ring.ts';
import { keepFor, loadKeyRing, makeCookieKey, makeSigningKey, rotateKeys } from '../../src/oidc/keys.ts';
import { openStore } from '../../src/store/open.ts';
import { withLatency } from '../helpers/latency.ts';

const T = 1_700_000_000_000;

test('key ring: a rotation publishes the new signing key first, then it signs; the old one verifies until it retires', { timeout: 30_000 }, async () => {
  const a = await makeSigningKey('RS256', T);
  let ring = { signing: [a], cookie: [makeCookieKey(T)] };
  const b = await makeSigningKey('ES256', T + 10, T + 1_000);
  ring = rotated(ring, 'signing', b, T + 10, T + 1_000 + 5_000);
  assert.deepEqual(statesOf(ring.signing, T + 10), ['next', 'active']);
  let view = viewOf(ring, T + 10);
  assert.equal(view.algorithm, 'RS256', 'the old key signs until the new one is active');
  assert.deepEqual(view.jwks.keys.map((k) => [k.kid, k.key_ops]), [[a.kid, undefined], [b.kid, ['verify']]]);
  assert.equal(view.changesAt, T + 1_000);
  assert.ok(view.publicJwks.keys.every((k) => !('d' in k)), 'no private member in the public set');
  view = viewOf(ring, T + 1_000);
  assert.equal(view.algorithm, 'ES256');
  assert.deepEqual(view.jwks.keys.map((k) => [k.kid, k.key_ops]), [[b.kid, undefined], [a.kid, ['verify']]]);
  assert.equal(view.changesAt, T + 6_000);
  assert.deepEqual(viewOf(ring, T + 6_000).jwks.keys.map((k) => k.kid), [b.kid], 'retired: gone');
  const c = makeCookieKey(T + 6_000);
  const later = rotated(rotated(ring, 'signing', await makeSigningKey('RS256', T + 6_000), T + 6_000, T + 9_000), 'cookie', c, T + 6_000, T + 7_000);
  assert.equal(later.signing.length, 2, 'a retired key is dropped at the next rotation');
  assert.deepEqual(viewOf(later, T + 6_000).cookieKeys, [c.secret, ring.cookie[0]!.secret], 'the new cookie key signs at once, the old one still verifies');
});

test('key ring: two rotations at once from two instances both land; no key is lost', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-ring-'));
  const url = `sqlite:${join(dir, 'f.db')}`;
  const [one, two] = [withLatency(await openStore(url), 3), withLatency(await openStore(url), 3)];
  try {
    const first = await loadKeyRing(one, 'RS256', Date.now());
    const req = { kinds: ['signing', 'cookie'] as const, algorithm: 'RS256' as const, keepFor: keepFor(600), activateAfter: 0 };
    const [x, y] = await Promise.all([rotateKeys(one, req, Date.now), rotateKeys(two, req, Date.now)]);
    const { ring } = await loadKeyRing(two, 'RS256', Date.now());
    const kids = ring.signing.map((k) => k.kid);
    for (const kid of [first.ring.signing[0]!.kid, x.added[0]!.id, y.added[0]!.id]) assert.ok(kids.includes(kid), `${kid} is in the ring`);
    assert.equal(ring.cookie.length, 3);
    assert.deepEqual(statesOf(ring.signing, Date.now()), ['active', 'retiring', 'retiring']);
  } finally {
    await one.close();
    await two.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('key ring: a store of an older version keeps its signing key (same kid) and cookie key; the old copies are replaced by a pointer', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-ring-'));
  const store = await openStore(`sqlite:${join(dir, 'f.db')}`);
  try {
    // What src/oidc/keys.ts stored before the key ring.
    const jwk = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
    const legacy = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
    await store.secrets.getOrCreate('jwks', async () => JSON.stringify({ keys: [legacy] }));
    const cookie = await store.secrets.getOrCreate('cookie-key', async () => 'c'.repeat(43));
    const { ring } = await loadKeyRing(store, 'ES256', Date.now());
    const view = viewOf(ring, Date.now());
    assert.equal(view.jwks.keys[0]!.kid, legacy.kid, 'tokens signed before the upgrade still verify');
    assert.equal(view.jwks.keys[0]!.d, legacy.d);
    assert.equal(view.algorithm, 'RS256', 'the old key keeps its algorithm until a rotation');
    assert.deepEqual(view.cookieKeys, [cookie], 'sessions made before the upgrade stay signed in');
    for (const name of ['jwks', 'cookie-key']) assert.equal((await store.secrets.read(name))?.value, JSON.stringify({ movedTo: 'key-ring' }));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
