// The store contract, per-interaction state and the atomic one-winner operations: versioned flow
// state, code settlement, named leases, first-writer secrets — each also raced from separate
// instances at once.
import assert from 'node:assert/strict';
import type { OtpChallenge } from '../../src/store/types.ts';
import { race } from '../helpers/store-race.ts';
import { contract } from '../helpers/stores.ts';

const HOUR = 3600_000;

const challenge = (over: Partial<OtpChallenge> = {}): OtpChallenge => ({
  id: `c-${Math.random().toString(36).slice(2)}`, interactionUid: 'uid-1', phone: '+12025550100', purpose: 'sign-in', codeHash: 'h',
  attempts: 0, maxAttempts: 5, createdAt: 1_000, expiresAt: 10_000, ...over,
});

contract('flowState: a write names the revision it read; a stale or duplicate first write changes nothing', async ({ store, place }) => {
  const exp = Date.now() + HOUR;
  assert.equal(await store.flowState.get('u'), undefined);
  assert.equal(await store.flowState.put('u', { step: 0 }, exp, 1), undefined, 'no state to update');
  assert.equal(await store.flowState.get('u'), undefined, 'and none was made');
  assert.equal(await store.flowState.put('u', { step: 0 }, exp, null), 1);
  assert.equal(await store.flowState.put('u', { step: 'again' }, exp, null), undefined, 'it exists already');
  assert.deepEqual(await store.flowState.get('u'), { state: { step: 0 }, rev: 1 });
  const other = await place.open();
  assert.equal(await other.flowState.put('u', { step: 1, nested: { a: [1] } }, exp, 1), 2);
  assert.equal(await store.flowState.put('u', { step: 'stale' }, exp, 1), undefined, 'the stale writer loses');
  assert.deepEqual(await store.flowState.get('u'), { state: { step: 1, nested: { a: [1] } }, rev: 2 });
  assert.equal(await store.flowState.put('u', { step: 2 }, exp, 2), 3);
  assert.equal(await store.flowState.get('other'), undefined);
});

contract('flowState: the state round-trips as JSON (unicode, nulls, nesting) and a write may extend the expiry', async ({ store }) => {
  const state = { flowId: 'sign-in', subject: null, data: { phone: '+12025550100', name: 'Zoë "Z" \\ \u0000', list: [1, { a: [true, null] }] }, empty: {} };
  const exp = Date.now() + HOUR;
  assert.equal(await store.flowState.put('u', state, exp, null), 1);
  assert.deepEqual(await store.flowState.get('u'), { state, rev: 1 });
  assert.equal(await store.flowState.put('u', { ...state, n: 2 }, exp + HOUR, 1), 2);
  assert.deepEqual((await store.flowState.get('u'))?.state, { ...state, n: 2 });
});

contract('flowState: expired state is gone; a first write may start afresh over it', async ({ store }) => {
  assert.equal(await store.flowState.put('u', { old: true }, Date.now() - 1, null), 1);
  assert.equal(await store.flowState.get('u'), undefined);
  const rev = await store.flowState.put('u', { fresh: true }, Date.now() + HOUR, null);
  assert.equal(typeof rev, 'number');
  assert.deepEqual(await store.flowState.get('u'), { state: { fresh: true }, rev });
});

contract('flowState: 16 parallel writes naming the same rev from 4 instances: exactly one wins', async ({ store, place }) => {
  const exp = Date.now() + HOUR;
  const firsts = await race(place.url, 'putFlow', Array.from({ length: 16 }, (_, i) => ['u', { by: i }, exp, null] as [string, unknown, number, null]));
  assert.deepEqual(firsts.filter((r) => r !== undefined), [1], 'one first write');
  const winner = (await store.flowState.get<{ by: number }>('u'))!;
  assert.equal(firsts[winner.state.by], 1, 'the stored state is the winner\'s');
  const updates = await race(place.url, 'putFlow', Array.from({ length: 16 }, (_, i) => ['u', { by: i }, exp, 1] as [string, unknown, number, number]));
  assert.deepEqual(updates.filter((r) => r !== undefined), [2], 'one update');
  const after = (await store.flowState.get<{ by: number }>('u'))!;
  assert.equal(after.rev, 2);
  assert.equal(updates[after.state.by], 2);
});

contract('otp: a replacement kills the live code; active finds the newest live one; kill ends one', async ({ store }) => {
  const d = challenge({ interactionUid: 'u' });
  const e = challenge({ interactionUid: 'u' });
  const reset = challenge({ interactionUid: 'u', purpose: 'reset' });
  await store.otp.replace(d);
  await store.otp.replace(reset);
  assert.deepEqual(await store.otp.active('u', 'sign-in', 2_000), d);
  await store.otp.replace(e);
  assert.deepEqual(await store.otp.active('u', 'sign-in', 2_000), e);
  assert.deepEqual(await store.otp.settle(d.id, true, 2_000), { kind: 'dead' }, 'the replaced code is dead');
  assert.deepEqual(await store.otp.active('u', 'reset', 2_000), reset, 'another purpose is its own');
  assert.equal(await store.otp.active('u', 'sign-in', 10_000), undefined, 'an expired code is not active');
  await store.otp.kill(e.id);
  assert.equal(await store.otp.active('u', 'sign-in', 2_000), undefined);
  assert.deepEqual(await store.otp.settle(e.id, true, 2_000), { kind: 'dead' }, 'a killed code fails');
  assert.deepEqual(await store.otp.counters('u'), { sends: 3, failures: 0 }, 'killed and replaced codes still count as sends');
  assert.equal(await store.otp.active('nobody', 'sign-in', 2_000), undefined);
  assert.deepEqual(await store.otp.counters('nobody'), { sends: 0, failures: 0 });
});

contract('otp: wrong guesses count down and kill the code at maxAttempts; the right code after that or after expiry fails', async ({ store }) => {
  const c = challenge({ interactionUid: 'u2', maxAttempts: 3 });
  await store.otp.replace(c);
  assert.deepEqual(await store.otp.settle(c.id, false, 2_000), { kind: 'wrong', attemptsLeft: 2 });
  assert.deepEqual(await store.otp.settle(c.id, false, 2_000), { kind: 'wrong', attemptsLeft: 1 });
  assert.deepEqual(await store.otp.settle(c.id, false, 2_000), { kind: 'dead' });
  assert.deepEqual(await store.otp.settle(c.id, true, 2_000), { kind: 'dead' }, 'the right code after death fails');
  assert.equal(await store.otp.active('u2', 'sign-in', 2_000), undefined);
  const next = challenge({ interactionUid: 'u2' });
  await store.otp.replace(next);
  assert.deepEqual(await store.otp.settle(next.id, false, 2_000), { kind: 'wrong', attemptsLeft: 4 });
  assert.deepEqual(await store.otp.counters('u2'), { sends: 2, failures: 4 }, 'a new code does not reset the failures');
  assert.deepEqual(await store.otp.settle(next.id, true, 10_000), { kind: 'dead' }, 'an expired code fails');
  assert.deepEqual(await store.otp.settle(next.id, true, 9_999), { kind: 'consumed' });
  assert.deepEqual(await store.otp.settle(next.id, true, 9_999), { kind: 'dead' }, 'accepted once');
  assert.deepEqual(await store.otp.settle('nope', false, 2_000), { kind: 'dead' });
});

contract('otp: 50 parallel settles of the right code from 4 instances: exactly one is consumed', async ({ store, place }) => {
  const c = challenge({ interactionUid: 'race' });
  await store.otp.replace(c);
  const verdicts = await race(place.url, 'settle', Array.from({ length: 50 }, () => [c.id, true, 2_000] as [string, boolean, number]));
  assert.equal(verdicts.filter((v) => v.kind === 'consumed').length, 1);
  assert.equal(verdicts.filter((v) => v.kind === 'dead').length, 49);
  assert.equal(await store.otp.active('race', 'sign-in', 2_000), undefined);
});

contract('otp: 50 parallel wrong guesses from 4 instances: exactly maxAttempts are counted, each left-count once', async ({ store, place }) => {
  const c = challenge({ interactionUid: 'race-wrong', maxAttempts: 5 });
  await store.otp.replace(c);
  const verdicts = await race(place.url, 'settle', Array.from({ length: 50 }, () => [c.id, false, 2_000] as [string, boolean, number]));
  const left = verdicts.flatMap((v) => (v.kind === 'wrong' ? [v.attemptsLeft] : [])).sort();
  assert.deepEqual(left, [1, 2, 3, 4]);
  assert.equal(verdicts.filter((v) => v.kind === 'dead').length, 46);
  assert.deepEqual(await store.otp.counters('race-wrong'), { sends: 1, failures: 5 });
});

contract('otp: 10 parallel replacements for one interaction from 4 instances leave one live code', async ({ store, place }) => {
  const challenges = Array.from({ length: 10 }, () => challenge({ interactionUid: 'race-replace' }));
  await race(place.url, 'replaceOtp', challenges.map((c) => [c] as [OtpChallenge]));
  const verdicts = await Promise.all(challenges.map((c) => store.otp.settle(c.id, true, 2_000)));
  assert.equal(verdicts.filter((v) => v.kind === 'consumed').length, 1, 'only one of them can still be used');
  assert.deepEqual(await store.otp.counters('race-replace'), { sends: 10, failures: 0 });
});

contract('locks: one owner at a time; the holder renews; an expired lease is taken; release frees it for the holder only', async ({ store, place }) => {
  const T = 1_000_000;
  const other = await place.open();
  assert.equal(await store.locks.acquire('interaction:u', 'A', 1_000, T), true);
  assert.equal(await other.locks.acquire('interaction:u', 'B', 1_000, T + 1), false);
  assert.equal(await other.locks.acquire('interaction:v', 'B', 1_000, T + 1), true, 'names are separate');
  assert.equal(await store.locks.acquire('interaction:u', 'A', 1_000, T + 900), true, 'the holder renews');
  assert.equal(await other.locks.acquire('interaction:u', 'B', 1_000, T + 1_500), false, 'the renewed lease holds past the first');
  assert.equal(await other.locks.acquire('interaction:u', 'B', 1_000, T + 1_900), true, 'an expired lease is taken over');
  assert.equal(await store.locks.acquire('interaction:u', 'A', 1_000, T + 1_901), false);
  await store.locks.release('interaction:u', 'A');
  assert.equal(await store.locks.acquire('interaction:u', 'A', 1_000, T + 1_902), false, 'releasing a lease one does not hold changes nothing');
  await other.locks.release('interaction:u', 'B');
  assert.equal(await store.locks.acquire('interaction:u', 'A', 1_000, T + 1_903), true, 'a released lease is free at once');
});

contract('locks: 20 parallel acquires by different owners from 4 instances: exactly one holds the lease', async ({ store, place }) => {
  const T = 1_000_000;
  const results = await race(place.url, 'acquire', Array.from({ length: 20 }, (_, i) => ['purge', `owner-${i}`, 60_000, T] as [string, string, number, number]));
  assert.equal(results.filter(Boolean).length, 1);
  const winner = `owner-${results.indexOf(true)}`;
  assert.equal(await store.locks.acquire('purge', winner, 60_000, T + 1), true, 'the winner holds it');
  assert.equal(await store.locks.acquire('purge', 'late', 60_000, T + 2), false);
});

contract('secrets: the first writer wins; later callers get its value without making one', async ({ store, place }) => {
  assert.equal(await store.secrets.getOrCreate('cookie-keys', async () => 'first'), 'first');
  let made = 0;
  const other = await place.open();
  assert.equal(await other.secrets.getOrCreate('cookie-keys', async () => { made += 1; return 'second'; }), 'first');
  assert.equal(made, 0);
  assert.equal(await store.secrets.getOrCreate('hmac', async () => 'h'), 'h', 'names are separate');
});

contract('secrets: a failing make stores nothing; the next call makes the value', async ({ store }) => {
  await assert.rejects(store.secrets.getOrCreate('k', async () => { throw new Error('no entropy'); }), /no entropy/);
  assert.equal(await store.secrets.getOrCreate('k', async () => 'made'), 'made');
});

contract('secrets: getOrCreate from 8 instances at once: all get one value', async ({ store, place }) => {
  const values = await race(place.url, 'secret', Array.from({ length: 8 }, (_, i) => ['signing-keys', `value-${i}`] as [string, string]), 8);
  assert.equal(new Set(values).size, 1, `one value: ${[...new Set(values)].join(', ')}`);
  assert.equal(await store.secrets.getOrCreate('signing-keys', async () => 'late'), values[0]);
});

contract('secrets: a write names the revision it read; a stale or duplicate first write changes nothing', async ({ store, place }) => {
  assert.equal(await store.secrets.read('ring'), undefined);
  assert.equal(await store.secrets.rev('ring'), undefined);
  assert.equal(await store.secrets.write('ring', 'a', 1), undefined, 'nothing to update');
  assert.equal(await store.secrets.read('ring'), undefined, 'and nothing was made');
  assert.equal(await store.secrets.write('ring', 'a', null), 1);
  assert.equal(await store.secrets.write('ring', 'again', null), undefined, 'it exists already');
  const other = await place.open();
  assert.equal(await other.secrets.write('ring', 'b', 1), 2);
  assert.equal(await store.secrets.write('ring', 'stale', 1), undefined, 'the stale writer loses');
  assert.deepEqual(await store.secrets.read('ring'), { value: 'b', rev: 2 });
  assert.equal(await store.secrets.rev('ring'), 2);
  assert.equal(await store.secrets.getOrCreate('ring', async () => 'made'), 'b', 'getOrCreate reads what a write stored');
  assert.equal(await store.secrets.getOrCreate('hmac', async () => 'h'), 'h');
  assert.deepEqual(await store.secrets.read('hmac'), { value: 'h', rev: 1 }, 'a made secret starts at revision 1');
  assert.deepEqual(await other.secrets.names(), ['hmac', 'ring']);
});

contract('secrets: 8 rev-checked writes from 4 instances at once: exactly one lands', async ({ store, place }) => {
  assert.equal(await store.secrets.write('ring', 'start', null), 1);
  const results = await race(place.url, 'writeSecret', Array.from({ length: 8 }, (_, i) => ['ring', `value-${i}`, 1] as [string, string, number]));
  assert.deepEqual(results.filter((r) => r !== undefined), [2], `one write: ${JSON.stringify(results)}`);
  assert.deepEqual(await store.secrets.read('ring'), { value: `value-${results.indexOf(2)}`, rev: 2 });
});
