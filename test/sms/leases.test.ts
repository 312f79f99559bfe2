// The SMS queue with several instances on one store (two queues on one SQLite file or PostgreSQL database): a retry is stored
// with its chain position and another instance continues from it; what a dead instance left `sending`
// is not taken at start-up but once its lease expires; an attempt whose lease is lost is aborted and
// settles nothing; stop() gives its leases back so another instance sends at once.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { createDispatch, type Attempt } from '../../src/sms/delivery/dispatch.ts';
import { createSmsQueue } from '../../src/sms/delivery/worker.ts';
import { SmsError, type SmsConnector, type SmsMessage } from '../../src/sms/types.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { storeKinds, type StorePlace } from '../helpers/stores.ts';

const log = createLogger('silent');
const msg: SmsMessage & { expiresAt: number } = { to: '+12025550100', body: '123456 is your code', usage: 'sign-in', locale: 'en', expiresAt: Date.now() + 600_000 };
const delivery = { timeoutMs: 2_000, retries: 2, backoffMs: 200, breakerThreshold: 100, breakerCooldownMs: 1_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i += 1) {
    if (i > 500) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** A connector that fails `failures` times (unavailable), then delivers; it records who was called at which attempt. */
function flaky(id: string, failures: number, seen: string[]): SmsConnector {
  let calls = 0;
  return {
    id,
    async send() {
      calls += 1;
      seen.push(`${id}#${calls}`);
      if (calls <= failures) throw new SmsError('unavailable', 'scripted');
      return { providerMessageId: `${id}-${calls}` };
    },
  };
}

const sent = async (store: Store, id: string) => (await store.smsOutbox.get(id))?.status === 'sent';

for (const kind of storeKinds) {
  describe(`[${kind.name}]`, () => {
    const places: StorePlace[] = [];
    /** A new place (file, database) per test. */
    const fresh = async () => { const place = await kind.open(); places.push(place); return place; };
    after(async () => { for (const place of places) await place.cleanup(); });

    test('a retry is stored, not slept on: another instance continues the chain where the first left it', { timeout: 30_000 }, async () => {
      const store = await openStore((await fresh()).url);
      const seen: string[] = [];
      // Instance A: its primary fails, so it stores a retry (step 1) and lets the lease go.
      const a = createSmsQueue(store, createDispatch([flaky('primary', 5, seen), flaky('backup', 0, seen)], delivery, log).attempt, log, ['US']);
      const id = await a.enqueue(msg);
      await until('the first attempt is stored as a retry', async () => (await store.smsOutbox.get(id))?.status === 'queued' && seen.length === 1);
      await a.stop(); // A is gone before its retry is due
      const row = (await store.smsOutbox.get(id))!;
      assert.deepEqual([row.status, row.step, row.leaseOwner, row.attempts, row.error], ['queued', 1, null, 1, 'unavailable']);

      // Instance B (its own connectors, same chain): it takes the second try of the primary, then fails over.
      const b = createSmsQueue(store, createDispatch([flaky('primary', 5, seen), flaky('backup', 0, seen)], delivery, log).attempt, log, ['US']);
      await until('B sent it', () => sent(store, id));
      assert.deepEqual(seen, ['primary#1', 'primary#1', 'primary#2', 'backup#1'], 'A: try 1; B: tries 2 and 3, then the backup');
      const done = (await store.smsOutbox.get(id))!;
      assert.equal(done.connector, 'backup');
      assert.equal(done.attempts, 4, 'one attempt per claim');
      await b.stop();
      await store.close();
    });

    test('no start-up re-queue: a dead instance\'s message is sent once its lease expires, once', { timeout: 30_000 }, async () => {
      const store = await openStore((await fresh()).url);
      const calls: SmsMessage[] = [];
      const attempt: Attempt = async (m) => { calls.push(m); return { kind: 'sent', connector: 'x', providerMessageId: null }; };
      await store.smsOutbox.enqueue({ id: 'm1', interactionUid: null, to: msg.to, body: 'plain body', usage: 'sign-in', locale: 'en', createdAt: Date.now(), expiresAt: msg.expiresAt });
      // A dead instance claimed it (its process was killed mid-send): it holds it for 1.5 s.
      assert.equal((await store.smsOutbox.claimDue('dead-instance', Date.now(), 10, 1_500)).length, 1);
      const queue = createSmsQueue(store, attempt, log, ['US'], Date.now, { leaseMs: 1_000 });
      await queue.drain();
      const held = (await store.smsOutbox.get('m1'))!;
      assert.deepEqual([held.status, held.leaseOwner, calls.length], ['sending', 'dead-instance', 0], 'not taken while the lease holds');
      await until('taken over and sent', () => sent(store, 'm1'));
      await queue.drain();
      assert.equal(calls.length, 1, 'sent once');
      await queue.stop();
      await store.close();
    });

    test('a lost lease aborts the attempt under way and settles nothing; stop() gives the lease back and another instance sends at once', { timeout: 30_000 }, async () => {
      const store = await openStore((await fresh()).url);
      let lost = false;
      // The renewal that finds the lease gone (another instance's claim after a stall, as the store says).
      const losing: Store = { ...store, smsOutbox: { ...store.smsOutbox, renew: async (...args) => (lost ? [] : store.smsOutbox.renew(...args)) } };
      const aborted: boolean[] = [];
      const hang: Attempt = (_m, o) => new Promise((resolve) => {
        o?.signal?.addEventListener('abort', () => { aborted.push(true); resolve({ kind: 'aborted' }); });
      });
      const a = createSmsQueue(losing, hang, log, ['US'], Date.now, { leaseMs: 1_000 });
      const id = await a.enqueue(msg);
      await until('A is sending', async () => (await store.smsOutbox.get(id))?.status === 'sending');
      await sleep(500); // renewed at least once
      assert.equal((await store.smsOutbox.get(id))?.status, 'sending');
      lost = true;
      await until('A aborted the attempt', async () => aborted.length === 1);
      await a.drain();
      assert.equal((await store.smsOutbox.get(id))?.status, 'sending', 'nothing settled by the instance that lost it');

      // A second message stuck in a hanging attempt: stop() waits (bounded), aborts, gives the lease back.
      lost = false;
      const c = createSmsQueue(store, hang, log, ['US'], Date.now, { leaseMs: 30_000, stopWaitMs: 200 });
      const second = await c.enqueue(msg);
      await until('C is sending', async () => (await store.smsOutbox.get(second))?.leaseOwner !== null && (await store.smsOutbox.get(second))?.status === 'sending');
      await c.stop();
      const released = (await store.smsOutbox.get(second))!;
      assert.deepEqual([released.status, released.leaseOwner], ['queued', null], 'given back at stop, not held for 30 s');
      const got: string[] = [];
      const d = createSmsQueue(store, async (m) => { got.push(m.body); return { kind: 'sent', connector: 'x', providerMessageId: null }; }, log, ['US']);
      await d.drain();
      assert.equal((await store.smsOutbox.get(second))?.status, 'sent', 'another instance sent it at once');
      assert.deepEqual(got, [msg.body]);
      await a.stop();
      await d.stop();
      await store.close();
    });
  });
}
