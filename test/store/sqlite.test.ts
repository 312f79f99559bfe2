// The SQLite store on a real file: migrations, atomic code settlement, secrets, purge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { OtpChallenge } from '../../src/store/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-store-'));
const file = join(dir, 'store.db');
after(() => rmSync(dir, { recursive: true, force: true }));

const challenge = (over: Partial<OtpChallenge> = {}): OtpChallenge => ({
  id: `c-${Math.random()}`, interactionUid: 'uid-1', phone: '+12025550100', purpose: 'sign-in', codeHash: 'h',
  attempts: 0, maxAttempts: 5, createdAt: 1_000, expiresAt: 10_000, ...over,
});

test('reopening the file keeps data and does not re-run migrations', async () => {
  const a = openSqliteStore(file);
  const user = await a.users.create({ phone: '+12025550100', phoneVerified: true, name: 'Ada' });
  const secret = await a.secrets.getOrCreate('k', async () => 'first');
  await a.close();
  const b = openSqliteStore(file);
  assert.deepEqual(await b.users.findByPhone('+12025550100'), user);
  assert.equal(await b.secrets.getOrCreate('k', async () => 'second'), secret, 'the first value wins');
  await assert.rejects(b.users.create({ phone: '+12025550100' }), /UNIQUE/);
  await b.close();
});

test('a code is settled once: the first right guess wins, later ones see it dead', async () => {
  const s = openSqliteStore(file);
  const c = challenge();
  await s.otp.replace(c);
  const verdicts = await Promise.all(Array.from({ length: 50 }, () => s.otp.settle(c.id, true, 2_000)));
  assert.equal(verdicts.filter((v) => v.kind === 'consumed').length, 1);
  assert.equal(await s.otp.active('uid-1', 'sign-in', 2_000), undefined);
  await s.close();
});

test('wrong guesses count down and kill the code at maxAttempts; a replacement kills the old code', async () => {
  const s = openSqliteStore(file);
  const c = challenge({ interactionUid: 'uid-2', maxAttempts: 3 });
  await s.otp.replace(c);
  assert.deepEqual(await s.otp.settle(c.id, false, 2_000), { kind: 'wrong', attemptsLeft: 2 });
  assert.deepEqual(await s.otp.settle(c.id, false, 2_000), { kind: 'wrong', attemptsLeft: 1 });
  assert.deepEqual(await s.otp.settle(c.id, false, 2_000), { kind: 'dead' });
  assert.deepEqual(await s.otp.settle(c.id, true, 2_000), { kind: 'dead' }, 'the right code after death fails');

  const d = challenge({ interactionUid: 'uid-2' });
  const e = challenge({ interactionUid: 'uid-2' });
  await s.otp.replace(d);
  await s.otp.replace(e);
  assert.equal((await s.otp.active('uid-2', 'sign-in', 2_000))?.id, e.id);
  assert.deepEqual(await s.otp.settle(d.id, true, 2_000), { kind: 'dead' });
  assert.deepEqual(await s.otp.counters('uid-2'), { sends: 3, failures: 3 });
  assert.deepEqual(await s.otp.settle(e.id, true, 20_000), { kind: 'dead' }, 'an expired code fails');
  await s.close();
});

test('purge removes expired artefacts, flow state and old challenges, and keeps live ones', async () => {
  const s = openSqliteStore(join(dir, 'purge.db'));
  const now = Date.now();
  await s.oidc.upsert('Session', 'old', { kind: 'Session' }, now - 1);
  await s.oidc.upsert('Session', 'live', { kind: 'Session' }, now + 60_000);
  await s.flowState.put('old-uid', { x: 1 }, now - 1, null);
  await s.flowState.put('live-uid', { x: 2 }, now + 60_000, null);
  await s.otp.replace(challenge({ interactionUid: 'purge', createdAt: now - 4 * 3600_000, expiresAt: now - 3 * 3600_000 }));
  assert.equal(await s.purgeExpired(now), 3);
  assert.equal(await s.oidc.find('Session', 'old'), undefined);
  assert.ok(await s.oidc.find('Session', 'live'));
  assert.deepEqual(await s.flowState.get('live-uid'), { state: { x: 2 }, rev: 1 });
  assert.deepEqual(await s.otp.counters('purge'), { sends: 0, failures: 0 });
  await s.close();
});
