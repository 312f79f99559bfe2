// The store contract, the store's life: reopening keeps everything, purge drops only what expired,
// ping says when the store cannot be reached. Plus SQLite's own migration path.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { migrations } from '../../src/store/sqlite/migrations.ts';
import { KEEP_FAILURES, type OtpChallenge } from '../../src/store/types.ts';
import { contract } from '../helpers/stores.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const challenge = (over: Partial<OtpChallenge> = {}): OtpChallenge => ({
  id: `c-${Math.random().toString(36).slice(2)}`, interactionUid: 'uid-1', phone: '+12025550100', purpose: 'sign-in', codeHash: 'h',
  attempts: 0, maxAttempts: 5, createdAt: 1_000, expiresAt: 10_000, ...over,
});

contract('reopening keeps the data (and does not run the migrations again)', async ({ store, place }) => {
  const user = await store.users.create({ phone: '+12025550100', phoneVerified: true, name: 'Ada' });
  const secret = await store.secrets.getOrCreate('k', async () => 'first');
  await store.flowState.put('u', { a: 1 }, Date.now() + HOUR, null);
  await place.close(store);
  const again = await place.open();
  assert.deepEqual(await again.users.findByPhone('+12025550100'), user);
  assert.equal(await again.secrets.getOrCreate('k', async () => 'second'), secret);
  assert.deepEqual(await again.flowState.get('u'), { state: { a: 1 }, rev: 1 });
  await assert.rejects(again.users.create({ phone: '+12025550100' }));
});

contract('purge removes what expired and keeps what lives', async ({ store }) => {
  const now = Date.now();
  await store.oidc.upsert('Session', 'old', { kind: 'Session' }, now - 1);
  await store.oidc.upsert('Session', 'live', { kind: 'Session' }, now + 60_000);
  await store.oidc.upsert('Client', 'forever', {}, null);
  await store.flowState.put('old-uid', { x: 1 }, now - 1, null);
  await store.flowState.put('live-uid', { x: 2 }, now + 60_000, null);
  // Spent challenges are kept a while (the per-interaction counters read them), then go.
  await store.otp.replace(challenge({ interactionUid: 'long-gone', createdAt: now - 4 * HOUR, expiresAt: now - 3 * HOUR }));
  await store.otp.replace(challenge({ interactionUid: 'recent', createdAt: now - 10 * 60_000, expiresAt: now - 5 * 60_000 }));
  // A settled message goes some hours after its code expired; a pending one stays.
  await store.smsOutbox.enqueue({ id: 'sent-old', interactionUid: null, to: '+12025550100', body: 'b', usage: 'sign-in', locale: null, createdAt: now - 4 * HOUR, expiresAt: now - 3 * HOUR });
  await store.smsOutbox.claimDue('w', now - 4 * HOUR, 1, 1_000);
  await store.smsOutbox.markSent('sent-old', 'w', 'x', 'p', now - 4 * HOUR);
  await store.smsOutbox.enqueue({ id: 'queued', interactionUid: null, to: '+12025550100', body: 'b', usage: 'sign-in', locale: null, createdAt: now, expiresAt: now + 300_000 });
  await store.locks.acquire('old-lock', 'A', 1_000, now - 10_000);
  await store.locks.acquire('live-lock', 'A', 60_000, now);

  assert.equal(await store.purgeExpired(now), 5, 'one session, one flow state, one challenge, one message, one lease');
  assert.equal(await store.oidc.find('Session', 'old'), undefined);
  assert.ok(await store.oidc.find('Session', 'live'));
  assert.ok(await store.oidc.find('Client', 'forever'));
  assert.deepEqual(await store.flowState.get('live-uid'), { state: { x: 2 }, rev: 1 });
  assert.deepEqual(await store.otp.counters('long-gone'), { sends: 0, failures: 0 });
  assert.deepEqual(await store.otp.counters('recent'), { sends: 1, failures: 0 });
  assert.equal(await store.smsOutbox.get('sent-old'), undefined);
  assert.equal((await store.smsOutbox.get('queued'))?.status, 'queued');
  assert.equal(await store.locks.acquire('old-lock', 'B', 1_000, now), true, 'the expired lease is free');
  assert.equal(await store.locks.acquire('live-lock', 'B', 1_000, now), false, 'the live lease is kept');
  assert.equal(await store.purgeExpired(now), 0, 'nothing left to purge');
});

contract('purge forgets old guard events and idle failure records, but keeps records at or above KEEP_FAILURES', async ({ store }) => {
  const now = Date.now();
  const old = now - 2 * DAY;
  await store.guard.take([{ name: 'cap', key: 'send:old', windowMs: HOUR, limit: 5 }], '', old);
  await store.guard.take([{ name: 'cap', key: 'send:new', windowMs: HOUR, limit: 5 }], '', now);
  await store.guard.reserve(['acct:idle'], now - 31 * DAY, () => true);
  for (let i = 0; i < KEEP_FAILURES; i += 1) await store.guard.reserve(['acct:locked'], now - 31 * DAY, () => true);
  await store.guard.reserve(['acct:recent'], now - DAY, () => true);
  assert.ok(await store.purgeExpired(now) > 0);
  assert.equal(await store.guard.lastAt('send:old'), undefined);
  assert.equal(await store.guard.lastAt('send:new'), now);
  assert.deepEqual(await store.guard.failures(['acct:idle']), { failures: 0, lastAt: 0 });
  assert.equal((await store.guard.failures(['acct:locked'])).failures, KEEP_FAILURES);
  assert.equal((await store.guard.failures(['acct:recent'])).failures, 1);
});

contract('ping answers while the store is open and is a 503 AppError once it is closed', async ({ store, place }) => {
  await store.ping();
  await place.close(store);
  await assert.rejects(store.ping(), { name: 'AppError', status: 503, code: 'store_unavailable' });
});

contract('ping is a 503 AppError while the server is down, and answers again once it is back', async ({ kind, store }) => {
  const server = await kind.server!();
  await store.ping();
  await server.stopServer();
  try {
    await assert.rejects(store.ping(), { name: 'AppError', status: 503, code: 'store_unavailable' });
  } finally {
    await server.startServer();
  }
  await store.ping();
  assert.equal(await store.secrets.getOrCreate('after-outage', async () => 'v'), 'v', 'the store works again');
}, { kinds: ['postgres'] });

contract('an old SQLite file is migrated in place: flow state keeps its data at rev 1, messages get step 0 and no owner', async ({ place }) => {
  const file = join(dirname(place.url.slice('sqlite:'.length)), 'old.db');
  const db = new Database(file);
  for (const [v, sql] of migrations.slice(0, 5).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${v + 1}`);
  }
  db.prepare('INSERT INTO flow_state (uid, state, expires_at) VALUES (?, ?, ?)').run('u', JSON.stringify({ kept: true }), Date.now() + HOUR);
  db.prepare(`INSERT INTO sms_outbox (id, recipient, usage, status, attempts, next_attempt_at, lease_until, created_at, expires_at, updated_at)
    VALUES ('m', '+12025550100', 'sign-in', 'sending', 1, 0, 0, 0, ?, 0)`).run(Date.now() + HOUR);
  db.close();
  const store = openSqliteStore(file);
  try {
    assert.deepEqual(await store.flowState.get('u'), { state: { kept: true }, rev: 1 });
    assert.equal(await store.flowState.put('u', { next: true }, Date.now() + HOUR, 1), 2);
    const m = await store.smsOutbox.get('m');
    assert.deepEqual([m?.step, m?.leaseOwner, m?.status], [0, null, 'sending']);
    assert.deepEqual((await store.smsOutbox.claimDue('w', 1, 10, 1_000)).map((r) => [r.id, r.leaseOwner, r.attempts]), [['m', 'w', 2]],
      'a lease left by the old single worker is taken over');
  } finally {
    await store.close();
  }
}, { kinds: ['sqlite'] });

contract('a lease held when the locks table is rebuilt (migration 8) is still held, by its owner only', async ({ place }) => {
  const file = join(dirname(place.url.slice('sqlite:'.length)), 'old-locks.db');
  const db = new Database(file);
  for (const [v, sql] of migrations.slice(0, 6).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${v + 1}`);
  }
  db.prepare('INSERT INTO locks (name, owner, until) VALUES (?, ?, ?)').run('interaction:u', 'a', Date.now() + HOUR);
  db.close();
  const store = openSqliteStore(file);
  try {
    assert.equal(await store.locks.acquire('interaction:u', 'b', 1_000, Date.now()), false, 'another owner waits');
    assert.equal(await store.locks.acquire('interaction:u', 'a', 1_000, Date.now()), true, 'its owner renews it');
    await store.locks.release('interaction:u', 'a');
    assert.equal(await store.locks.acquire('interaction:u', 'b', 1_000, Date.now()), true, 'given back, the next one takes it');
  } finally {
    await store.close();
  }
}, { kinds: ['sqlite'] });
