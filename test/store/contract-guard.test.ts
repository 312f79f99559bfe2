// The store contract, the abuse guard's counters: send caps checked and counted in one step
// (also from separate instances at once), distinct caps, dry runs, failure reservations.
import assert from 'node:assert/strict';
import type { RateRule } from '../../src/store/types.ts';
import { race } from '../helpers/store-race.ts';
import { contract } from '../helpers/stores.ts';

const T = 1_000_000_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const rule = (over: Partial<RateRule> = {}): RateRule => ({ name: 'per-number', key: 'send:+12025550100', windowMs: MIN, limit: 3, ...over });

contract('guard: a cap lets `limit` events through its window, then names itself and when it frees', async ({ store }) => {
  const cap = rule();
  for (let i = 0; i < 3; i += 1) assert.deepEqual(await store.guard.take([cap], '', T + i), { ok: true });
  const refused = await store.guard.take([cap], '', T + 10);
  assert.equal(refused.ok, false);
  if (refused.ok) return;
  assert.equal(refused.rule, 'per-number');
  assert.ok(refused.retryAt > T + 10, 'frees later');
  assert.ok(refused.retryAt <= T + MIN + MIN / 60, 'no later than the window (plus at most one sixtieth of it)');
  assert.equal((await store.guard.take([cap], '', refused.retryAt - 1)).ok, false, 'still held just before');
  assert.deepEqual(await store.guard.take([cap], '', refused.retryAt), { ok: true }, 'free when it said');
  assert.deepEqual(await store.guard.take([rule({ key: 'send:+12025550101' })], '', T + 10), { ok: true }, 'another key has its own count');
});

contract('guard: when one rule holds, nothing is counted under the others; the first holding rule is named', async ({ store }) => {
  const tight = rule({ name: 'tight', key: 'k:tight', limit: 1 });
  const loose = rule({ name: 'loose', key: 'k:loose', limit: 3 });
  assert.deepEqual(await store.guard.take([loose, tight], '', T), { ok: true });
  for (let i = 1; i <= 5; i += 1) {
    const r = await store.guard.take([loose, tight], '', T + i);
    assert.equal(r.ok === false && r.rule, 'tight');
  }
  assert.deepEqual(await store.guard.take([loose], '', T + 10), { ok: true }, 'the refused takes did not count under loose');
  assert.deepEqual(await store.guard.take([loose], '', T + 11), { ok: true });
  const full = await store.guard.take([tight, loose], '', T + 12);
  assert.equal(full.ok === false && full.rule, 'tight', 'both hold: the first in order is named');
  const r = await store.guard.take([loose, tight], '', T + 12);
  assert.equal(r.ok === false && r.rule, 'loose');
});

contract('guard: two windows on one key (a cooldown and an hourly cap) count separately', async ({ store }) => {
  const cooldown = rule({ name: 'cooldown', key: 'n:1', windowMs: MIN, limit: 1 });
  const hourly = rule({ name: 'hourly', key: 'n:1', windowMs: HOUR, limit: 3 });
  assert.deepEqual(await store.guard.take([cooldown, hourly], '', T), { ok: true });
  const early = await store.guard.take([cooldown, hourly], '', T + 1_000);
  assert.equal(early.ok === false && early.rule, 'cooldown');
  assert.deepEqual(await store.guard.take([cooldown, hourly], '', T + 2 * MIN), { ok: true });
  assert.deepEqual(await store.guard.take([cooldown, hourly], '', T + 4 * MIN), { ok: true });
  const capped = await store.guard.take([cooldown, hourly], '', T + 6 * MIN);
  assert.equal(capped.ok === false && capped.rule, 'hourly');
  assert.ok(!capped.ok && capped.retryAt > T + HOUR - MIN, 'the hourly cap frees about an hour after the first send');
});

contract('guard: a distinct cap counts values, and a value already counted passes', async ({ store }) => {
  const prefix = rule({ name: 'prefix', key: 'prefix:+1202555', distinct: true, limit: 2 });
  assert.deepEqual(await store.guard.take([prefix], '+12025550100', T), { ok: true });
  assert.deepEqual(await store.guard.take([prefix], '+12025550101', T + 1), { ok: true });
  assert.deepEqual(await store.guard.take([prefix], '+12025550100', T + 2), { ok: true }, 'a counted number passes again');
  const third = await store.guard.take([prefix], '+12025550102', T + 3);
  assert.equal(third.ok === false && third.rule, 'prefix');
  assert.ok(!third.ok && third.retryAt > T + 3 && third.retryAt <= T + 1 + MIN + MIN / 60);
  assert.deepEqual(await store.guard.take([prefix], '+12025550102', T + 2 + MIN), { ok: true }, 'once the first number left the window');
});

contract('guard: no rules is always ok; one event under a key shared by rules of one window is counted once', async ({ store }) => {
  assert.deepEqual(await store.guard.take([], 'x', T), { ok: true });
  const a = rule({ name: 'a', key: 'shared', limit: 2 });
  const b = rule({ name: 'b', key: 'shared', limit: 2 });
  assert.deepEqual(await store.guard.take([a, b], '', T), { ok: true });
  assert.deepEqual(await store.guard.take([a, b], '', T + 1), { ok: true }, 'the first take counted one event, not two');
  assert.equal((await store.guard.take([a, b], '', T + 2)).ok, false);
});

contract('guard: dryRun checks without counting; lastAt is the newest counted event', async ({ store, place }) => {
  const cap = rule({ limit: 1 });
  assert.equal(await store.guard.lastAt(cap.key), undefined);
  assert.deepEqual(await store.guard.take([cap], '', T, { dryRun: true }), { ok: true });
  assert.deepEqual(await store.guard.take([cap], '', T + 1, { dryRun: true }), { ok: true });
  assert.equal(await store.guard.lastAt(cap.key), undefined, 'a dry run records nothing');
  assert.deepEqual(await store.guard.take([cap], '', T + 2), { ok: true });
  assert.equal(await store.guard.lastAt(cap.key), T + 2);
  assert.equal((await store.guard.take([cap], '', T + 3, { dryRun: true })).ok, false, 'a dry run sees the cap');
  assert.equal((await store.guard.take([cap], '', T + 4)).ok, false);
  assert.equal(await store.guard.lastAt(cap.key), T + 2, 'a refused take records nothing');
  assert.equal(await (await place.open()).guard.lastAt(cap.key), T + 2, 'another instance reads it');
});

contract('guard: forget drops the counts and last event under the keys (an admin\'s reset of caps)', async ({ store }) => {
  const a = rule({ key: 'send:a', limit: 1 });
  const b = rule({ key: 'send:b', limit: 1 });
  await store.guard.take([a], '', T);
  await store.guard.take([b], '', T);
  assert.equal((await store.guard.take([a], '', T + 1)).ok, false);
  assert.ok(await store.guard.forget(['send:a']) > 0);
  assert.equal(await store.guard.lastAt('send:a'), undefined);
  assert.deepEqual(await store.guard.take([a], '', T + 2), { ok: true });
  assert.equal((await store.guard.take([b], '', T + 2)).ok, false, 'other keys are untouched');
  assert.equal(await store.guard.forget(['send:none']), 0);
});

contract('guard: reserve counts a failure under every key when allowed; refund takes it back; clear starts over', async ({ store }) => {
  const keys = ['acct:1', 'phone:+12025550100'];
  assert.deepEqual(await store.guard.failures(keys), { failures: 0, lastAt: 0 });
  const seen: number[] = [];
  const r1 = await store.guard.reserve(keys, T, (w) => { seen.push(w.failures); return w.failures < 3; });
  assert.deepEqual(r1, { lastAtBefore: { 'acct:1': 0, 'phone:+12025550100': 0 } });
  const r2 = await store.guard.reserve(keys, T + 5, (w) => { seen.push(w.failures); return w.failures < 3; });
  assert.deepEqual(r2, { lastAtBefore: { 'acct:1': T, 'phone:+12025550100': T } });
  assert.deepEqual(await store.guard.failures(keys), { failures: 2, lastAt: T + 5 });
  await store.guard.refund(r2!);
  assert.deepEqual(await store.guard.failures(keys), { failures: 1, lastAt: T }, 'a right proof is refunded, with the time of the failure before');
  await store.guard.reserve(['acct:1'], T + 6, () => true);
  await store.guard.reserve(['acct:1'], T + 7, () => true);
  assert.deepEqual(await store.guard.failures(keys), { failures: 3, lastAt: T + 7 }, 'the worst record among the keys');
  assert.deepEqual(await store.guard.failures(['phone:+12025550100']), { failures: 1, lastAt: T });
  assert.equal(await store.guard.reserve(keys, T + 8, (w) => { seen.push(w.failures); return w.failures < 3; }), undefined);
  assert.deepEqual(seen, [0, 1, 3], 'allow is asked about the worst record');
  assert.deepEqual(await store.guard.failures(keys), { failures: 3, lastAt: T + 7 }, 'a refused reservation changes nothing');
  assert.equal(await store.guard.clear(keys), 2);
  assert.deepEqual(await store.guard.failures(keys), { failures: 0, lastAt: 0 });
  assert.equal(await store.guard.clear(keys), 0);
});

contract('guard: 20 parallel takes from 4 instances against a cap of 5: exactly 5 pass', async ({ store, place }) => {
  const cap = rule({ limit: 5, windowMs: HOUR });
  const results = await race(place.url, 'take', Array.from({ length: 20 }, (_, i) => [[cap], '', T + i] as [RateRule[], string, number]));
  assert.equal(results.filter((r) => r.ok).length, 5);
  assert.equal((await store.guard.take([cap], '', T + 100)).ok, false, 'and the cap is full');
});

contract('guard: one take checks counted and distinct rules together', async ({ store }) => {
  const perNumber = (n: string) => rule({ name: 'number', key: `send:${n}`, limit: 1 });
  const prefix = rule({ name: 'prefix', key: 'prefix:+1202', distinct: true, limit: 2 });
  assert.deepEqual(await store.guard.take([perNumber('a'), prefix], 'a', T), { ok: true });
  assert.equal((await store.guard.take([perNumber('a'), prefix], 'a', T + 1)).ok, false, 'the number is capped though the prefix knows it');
  assert.deepEqual(await store.guard.take([perNumber('b'), prefix], 'b', T + 2), { ok: true });
  const third = await store.guard.take([perNumber('c'), prefix], 'c', T + 3);
  assert.equal(third.ok === false && third.rule, 'prefix');
  assert.deepEqual(await store.guard.take([perNumber('c')], 'c', T + 4), { ok: true }, 'the refused take counted nothing under the number');
});

contract('guard: 24 parallel takes over two shared keys in both orders, from 4 instances: the caps hold and none fails', async ({ store, place }) => {
  const global = rule({ name: 'global', key: 'budget:global', limit: 7, windowMs: HOUR });
  const country = rule({ name: 'country', key: 'budget:US', limit: 9, windowMs: HOUR });
  const perNumber = (i: number) => rule({ name: 'number', key: `send:n${i % 10}`, limit: 1, windowMs: HOUR });
  const calls = Array.from({ length: 24 }, (_, i) => [i % 2 ? [global, country, perNumber(i)] : [perNumber(i), country, global], `n${i % 10}`, T + i] as [RateRule[], string, number]);
  const results = await race(place.url, 'take', calls);
  const passed = calls.filter((_, i) => results[i]!.ok).map(([, value]) => value);
  assert.equal(passed.length, 7, 'the global budget is the tightest');
  assert.equal(new Set(passed).size, 7, 'no number passed twice');
  assert.equal((await store.guard.take([country], '', T + 100)).ok, true, 'the country cap counted only the 7 that passed');
  assert.equal((await store.guard.take([country], '', T + 101)).ok, true);
  assert.equal((await store.guard.take([country], '', T + 102)).ok, false);
});

contract('guard: 20 parallel takes of different numbers against a distinct cap of 3: exactly 3 pass', async ({ place }) => {
  const prefix = rule({ name: 'prefix', key: 'prefix:+1202', distinct: true, limit: 3, windowMs: HOUR });
  const results = await race(place.url, 'take', Array.from({ length: 20 }, (_, i) => [[prefix], `+1202555${String(i).padStart(4, '0')}`, T] as [RateRule[], string, number]));
  assert.equal(results.filter((r) => r.ok).length, 3);
});

contract('guard: 20 parallel reservations from 4 instances with 5 failures allowed: exactly 5 are granted', async ({ store, place }) => {
  const keys = ['acct:race', 'phone:race'];
  const results = await race(place.url, 'reserve', Array.from({ length: 20 }, () => [keys, T, 5] as [string[], number, number]));
  assert.equal(results.filter((r) => r !== undefined).length, 5);
  assert.equal((await store.guard.failures(keys)).failures, 5);
});
