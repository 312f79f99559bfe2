// The store contract, the SMS outbox: owner-held leases, renewals, expired-lease takeover, durable
// retries, own-only release at shutdown, delivery reports — and parallel claims from separate
// instances never lease one message twice.
import assert from 'node:assert/strict';
import type { QueuedSms, Store } from '../../src/store/types.ts';
import { race } from '../helpers/store-race.ts';
import { contract } from '../helpers/stores.ts';

const T = 1_000_000_000_000;
const LEASE = 30_000;

async function enqueue(store: Store, id: string, createdAt = T, over: Partial<QueuedSms> = {}) {
  await store.smsOutbox.enqueue({
    id, interactionUid: 'uid-1', to: '+12025550100', body: `123456 is your code (${id})`, usage: 'sign-in', locale: 'en',
    createdAt, expiresAt: createdAt + 300_000, ...over,
  });
}

const ids = (rows: QueuedSms[]) => rows.map((r) => r.id);

contract('sms: an enqueued message is queued, unleased, at step 0; latestFor and pending see it', async ({ store }) => {
  assert.equal(await store.smsOutbox.pending(), 0);
  await enqueue(store, 'm1', T);
  await enqueue(store, 'm2', T + 1);
  await enqueue(store, 'other', T + 2, { interactionUid: 'uid-2' });
  assert.deepEqual(await store.smsOutbox.get('m1'), {
    id: 'm1', interactionUid: 'uid-1', to: '+12025550100', body: '123456 is your code (m1)', usage: 'sign-in', locale: 'en',
    status: 'queued', attempts: 0, step: 0, leaseOwner: null, connector: null, providerMessageId: null, error: null,
    createdAt: T, expiresAt: T + 300_000,
  });
  assert.equal((await store.smsOutbox.latestFor('uid-1'))?.id, 'm2');
  assert.equal(await store.smsOutbox.latestFor('uid-none'), undefined);
  assert.equal(await store.smsOutbox.get('nope'), undefined);
  assert.equal(await store.smsOutbox.pending(), 3);
});

contract('sms: claimDue leases due messages to the owner, oldest first, up to the limit, counting an attempt', async ({ store }) => {
  await enqueue(store, 'b', T + 10);
  await enqueue(store, 'a', T);
  await enqueue(store, 'future', T + 60_000);
  const claimed = await store.smsOutbox.claimDue('w1', T + 20, 1, LEASE);
  assert.deepEqual(ids(claimed), ['a']);
  assert.equal(claimed[0]!.status, 'sending');
  assert.equal(claimed[0]!.leaseOwner, 'w1');
  assert.equal(claimed[0]!.attempts, 1);
  assert.equal(claimed[0]!.body, '123456 is your code (a)', 'the worker gets the body to send');
  assert.deepEqual(ids(await store.smsOutbox.claimDue('w2', T + 20, 10, LEASE)), ['b'], 'a leased message is not claimed again; a future one is not due');
  assert.deepEqual(await store.smsOutbox.claimDue('w3', T + 20, 10, LEASE), []);
  assert.deepEqual((await store.smsOutbox.get('b'))?.leaseOwner, 'w2');
  assert.equal(await store.smsOutbox.pending(), 3, 'sending messages are still pending');
});

contract('sms: a message enqueued with a lease is sending, held by its owner: never claimed while the lease lasts, taken over after', async ({ store, place }) => {
  await store.smsOutbox.enqueue({
    id: 'taken', interactionUid: 'uid-1', to: '+12025550100', body: 'b', usage: 'sign-in', locale: null, createdAt: T, expiresAt: T + 300_000,
  }, { owner: 'w1', until: T + LEASE });
  const row = await store.smsOutbox.get('taken');
  assert.equal(row?.status, 'sending');
  assert.equal(row?.leaseOwner, 'w1');
  assert.equal(row?.attempts, 1, 'its first attempt is counted, as a claim counts it');
  assert.equal(await store.smsOutbox.pending(), 1);
  assert.deepEqual(await store.smsOutbox.claimDue('w2', T + LEASE - 1, 10, LEASE), [], 'not before the lease ends');
  assert.deepEqual(await store.smsOutbox.renew('w1', ['taken'], T + 1000, LEASE), ['taken']);
  assert.deepEqual(ids(await (await place.open()).smsOutbox.claimDue('w2', T + 1000 + LEASE, 10, LEASE)), ['taken'], 'a dead owner\'s message is sent by another');
  assert.equal(await store.smsOutbox.markSent('taken', 'w1', 'outbox', null, T + 1000 + LEASE), false, 'the first owner can no longer settle it');
  assert.equal(await store.smsOutbox.markSent('taken', 'w2', 'outbox', null, T + 1000 + LEASE), true);
});

contract('sms: an expired lease is taken over by another owner; the first owner can no longer settle or renew it', async ({ store, place }) => {
  await enqueue(store, 'm', T);
  assert.deepEqual(ids(await store.smsOutbox.claimDue('dead-worker', T, 10, LEASE)), ['m']);
  assert.deepEqual(await store.smsOutbox.claimDue('w2', T + LEASE - 1, 10, LEASE), [], 'not before the lease ends');
  const other = await place.open();
  const taken = await other.smsOutbox.claimDue('w2', T + LEASE, 10, LEASE);
  assert.deepEqual(ids(taken), ['m']);
  assert.equal(taken[0]!.leaseOwner, 'w2');
  assert.equal(taken[0]!.attempts, 2, 'the takeover counts another attempt');
  assert.deepEqual(await store.smsOutbox.renew('dead-worker', ['m'], T + LEASE + 1, LEASE), []);
  assert.equal(await store.smsOutbox.markSent('m', 'dead-worker', 'x', 'p-late', T + LEASE + 1), false);
  assert.equal(await store.smsOutbox.markFailed('m', 'dead-worker', 'late', T + LEASE + 1), false);
  assert.equal(await store.smsOutbox.retryAt('m', 'dead-worker', T + LEASE + 5, 1, 'late', T + LEASE + 1), false);
  const row = await store.smsOutbox.get('m');
  assert.equal(row?.status, 'sending');
  assert.equal(row?.leaseOwner, 'w2');
  assert.equal(await other.smsOutbox.markSent('m', 'w2', 'x', 'p-1', T + LEASE + 2), true);
});

contract('sms: renew extends the owner\'s leases and returns only the ids it still holds', async ({ store }) => {
  await enqueue(store, 'm1', T);
  await enqueue(store, 'm2', T + 1);
  await enqueue(store, 'm3', T + 2);
  await store.smsOutbox.claimDue('w1', T + 5, 2, LEASE);
  await store.smsOutbox.claimDue('w2', T + 5, 2, LEASE);
  assert.deepEqual((await store.smsOutbox.renew('w1', ['m1', 'm2', 'm3', 'nope'], T + 20_000, LEASE)).sort(), ['m1', 'm2']);
  assert.deepEqual(await store.smsOutbox.renew('w1', [], T + 20_000, LEASE), []);
  assert.deepEqual(ids(await store.smsOutbox.claimDue('w3', T + 5 + LEASE, 10, LEASE)), ['m3'], 'renewed leases hold past the first lease; the unrenewed one is taken');
  assert.deepEqual(ids(await store.smsOutbox.claimDue('w3', T + 20_000 + LEASE, 10, LEASE)).sort(), ['m1', 'm2'], 'until the renewed lease ends');
});

contract('sms: markSent settles once, by the owner only, and drops the body', async ({ store }) => {
  await enqueue(store, 'm', T);
  await store.smsOutbox.claimDue('w1', T, 10, LEASE);
  assert.equal(await store.smsOutbox.markSent('m', 'w2', 'twilio', 'SM-other', T + 1), false, 'another owner cannot settle it');
  assert.equal((await store.smsOutbox.get('m'))?.status, 'sending');
  assert.equal(await store.smsOutbox.markSent('m', 'w1', 'twilio', 'SM1', T + 1), true);
  const row = await store.smsOutbox.get('m');
  assert.deepEqual([row?.status, row?.body, row?.connector, row?.providerMessageId, row?.leaseOwner, row?.error], ['sent', null, 'twilio', 'SM1', null, null]);
  assert.equal(await store.smsOutbox.markSent('m', 'w1', 'twilio', 'SM2', T + 2), false, 'a settled message is not settled again');
  assert.equal((await store.smsOutbox.get('m'))?.providerMessageId, 'SM1');
  assert.equal(await store.smsOutbox.pending(), 0);
  assert.equal(await store.smsOutbox.markSent('nope', 'w1', 'twilio', null, T), false);
});

contract('sms: markFailed settles with the error and drops the body', async ({ store }) => {
  await enqueue(store, 'm', T);
  await store.smsOutbox.claimDue('w1', T, 10, LEASE);
  assert.equal(await store.smsOutbox.markFailed('m', 'w2', 'nope', T + 1), false);
  assert.equal(await store.smsOutbox.markFailed('m', 'w1', 'invalid_recipient', T + 1), true);
  const row = await store.smsOutbox.get('m');
  assert.deepEqual([row?.status, row?.body, row?.error, row?.leaseOwner], ['failed', null, 'invalid_recipient', null]);
  assert.equal(await store.smsOutbox.markFailed('m', 'w1', 'again', T + 2), false);
  assert.equal(await store.smsOutbox.pending(), 0);
});

contract('sms: retryAt queues the message durably for its due time at its chain step; the next claim resumes there', async ({ store, place }) => {
  await enqueue(store, 'm', T);
  await store.smsOutbox.claimDue('w1', T, 10, LEASE);
  assert.equal(await store.smsOutbox.retryAt('m', 'w2', T + 5_000, 3, 'stolen', T + 1), false, 'another owner cannot requeue it');
  assert.equal(await store.smsOutbox.retryAt('m', 'w1', T + 5_000, 3, 'unavailable', T + 1), true);
  const waiting = await store.smsOutbox.get('m');
  assert.deepEqual([waiting?.status, waiting?.step, waiting?.error, waiting?.leaseOwner, waiting?.attempts], ['queued', 3, 'unavailable', null, 1]);
  assert.notEqual(waiting?.body, null, 'the body is kept for the next attempt');
  assert.equal(await store.smsOutbox.retryAt('m', 'w1', T + 6_000, 4, 'twice', T + 2), false, 'a queued message is no longer leased');
  await place.close(store);
  const restarted = await place.open();
  assert.deepEqual(await restarted.smsOutbox.claimDue('w2', T + 4_999, 10, LEASE), [], 'not before its time, even after a restart');
  const again = await restarted.smsOutbox.claimDue('w2', T + 5_000, 10, LEASE);
  assert.deepEqual(again.map((r) => [r.id, r.step, r.attempts, r.leaseOwner]), [['m', 3, 2, 'w2']]);
  assert.equal(await restarted.smsOutbox.pending(), 1);
});

contract('sms: releaseLeases gives back only the owner\'s leases, due at once for another instance', async ({ store }) => {
  await enqueue(store, 'a1', T);
  await enqueue(store, 'a2', T + 1);
  await enqueue(store, 'b1', T + 2);
  await enqueue(store, 'left', T + 3);
  await store.smsOutbox.claimDue('A', T + 10, 2, LEASE);
  await store.smsOutbox.claimDue('B', T + 10, 1, LEASE);
  assert.equal(await store.smsOutbox.releaseLeases('A', T + 20), 2);
  assert.equal(await store.smsOutbox.releaseLeases('A', T + 20), 0);
  const a1 = await store.smsOutbox.get('a1');
  assert.deepEqual([a1?.status, a1?.leaseOwner], ['queued', null]);
  assert.deepEqual([(await store.smsOutbox.get('b1'))?.status, (await store.smsOutbox.get('b1'))?.leaseOwner], ['sending', 'B'], 'another owner\'s lease is kept');
  assert.deepEqual(ids(await store.smsOutbox.claimDue('C', T + 20, 10, LEASE)).sort(), ['a1', 'a2', 'left'], 'released messages are due now');
  assert.equal(await store.smsOutbox.pending(), 4);
});

contract('sms: reportStatus records the provider\'s delivery report by connector and message id', async ({ store }) => {
  await enqueue(store, 'm1', T);
  await enqueue(store, 'm2', T + 1);
  await store.smsOutbox.claimDue('w', T + 1, 10, LEASE);
  await store.smsOutbox.markSent('m1', 'w', 'twilio', 'SM1', T + 2);
  await store.smsOutbox.markSent('m2', 'w', 'vonage', 'SM1', T + 2);
  assert.equal(await store.smsOutbox.reportStatus('twilio', 'SM1', 'delivered', T + 3), true);
  assert.equal((await store.smsOutbox.get('m1'))?.status, 'delivered');
  assert.equal((await store.smsOutbox.get('m2'))?.status, 'sent', 'the same id from another connector is another message');
  assert.equal(await store.smsOutbox.reportStatus('vonage', 'SM1', 'failed', T + 4, 'carrier_rejected'), true);
  assert.deepEqual([(await store.smsOutbox.get('m2'))?.status, (await store.smsOutbox.get('m2'))?.error], ['failed', 'carrier_rejected']);
  assert.equal(await store.smsOutbox.reportStatus('twilio', 'SM-unknown', 'delivered', T + 5), false);
});

contract('sms: a message whose code expired is still claimed, so the worker can settle it as expired', async ({ store }) => {
  await enqueue(store, 'stale', T, { expiresAt: T + 10 });
  const claimed = await store.smsOutbox.claimDue('w', T + 1_000, 10, LEASE);
  assert.deepEqual(ids(claimed), ['stale']);
  assert.equal(await store.smsOutbox.markFailed('stale', 'w', 'expired', T + 1_000), true);
  assert.equal(await store.smsOutbox.pending(), 0);
  assert.equal((await store.smsOutbox.get('stale'))?.error, 'expired');
});

contract('sms: parallel claims by 8 owners on separate instances lease every message exactly once', async ({ store, place }) => {
  for (let i = 0; i < 20; i += 1) await enqueue(store, `m${String(i).padStart(2, '0')}`, T + i);
  const claims = await race(place.url, 'claim', Array.from({ length: 8 }, (_, i) => [`owner-${i}`, T + 100, 5, LEASE] as [string, number, number, number]));
  const all = claims.flatMap((rows, i) => rows.map((r) => ({ id: r.id, owner: r.leaseOwner, expected: `owner-${i}` })));
  assert.equal(all.length, 20, 'every message claimed');
  assert.equal(new Set(all.map((c) => c.id)).size, 20, 'none claimed twice');
  for (const c of all) assert.equal(c.owner, c.expected);
  for (const c of all) {
    const row = await store.smsOutbox.get(c.id);
    assert.deepEqual([row?.leaseOwner, row?.attempts], [c.expected, 1], `${c.id} is held by its claimer, one attempt`);
  }
});

contract('sms: a stalled owner settling while another instance takes its expired leases: each message is settled or taken, never both', async ({ store, place }) => {
  const n = 12;
  for (let i = 0; i < n; i += 1) await enqueue(store, `m${String(i).padStart(2, '0')}`, T + i);
  assert.equal((await store.smsOutbox.claimDue('stalled', T + 100, n, LEASE)).length, n);
  const at = T + 100 + LEASE;
  const [settled, taken] = await Promise.all([
    race(place.url, 'markSent', Array.from({ length: n }, (_, i) => [`m${String(i).padStart(2, '0')}`, 'stalled', at] as [string, string, number]), 2),
    race(place.url, 'claim', Array.from({ length: 3 }, (_, i) => [`taker-${i}`, at, n, LEASE] as [string, number, number, number]), 2),
  ]);
  const takenIds = new Set(taken.flat().map((r) => r.id));
  assert.equal(takenIds.size, taken.flat().length, 'no message taken twice');
  for (let i = 0; i < n; i += 1) {
    const id = `m${String(i).padStart(2, '0')}`;
    const row = await store.smsOutbox.get(id);
    assert.notEqual(settled[i], takenIds.has(id), `${id}: settled by the stalled owner xor taken over`);
    assert.equal(row?.status, settled[i] ? 'sent' : 'sending');
  }
});

contract('sms: oldestDueAt is when the oldest message due now was queued (an expired lease counts, a future retry does not)', async ({ store }) => {
  assert.equal(await store.smsOutbox.oldestDueAt(T), null, 'an empty queue has none');
  await enqueue(store, 'sent', T - 50_000);
  await store.smsOutbox.claimDue('w', T - 50_000, 10, LEASE);
  await store.smsOutbox.markSent('sent', 'w', 'twilio', 'SM1', T - 49_000);
  await enqueue(store, 'later', T - 40_000);
  await store.smsOutbox.claimDue('w', T - 40_000, 10, LEASE);
  await store.smsOutbox.retryAt('later', 'w', T + 60_000, 1, 'unavailable', T - 39_000);
  await enqueue(store, 'due', T - 5_000);
  assert.equal(await store.smsOutbox.oldestDueAt(T), T - 5_000, 'settled messages and retries not yet due are left out');
  await enqueue(store, 'held', T - 20_000);
  await store.smsOutbox.claimDue('w', T - 20_000, 1, LEASE);
  assert.equal((await store.smsOutbox.get('held'))?.leaseOwner, 'w');
  assert.equal(await store.smsOutbox.oldestDueAt(T), T - 5_000, 'a message under a live lease is being sent, not waiting');
  assert.equal(await store.smsOutbox.oldestDueAt(T - 20_000 + LEASE), T - 20_000, 'once its lease ran out it waits again');
});
