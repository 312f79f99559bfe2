// The SMS queue and the dispatcher: expiry, settled bodies, retries with backoff, failover order,
// and the circuit breaker.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { createBreaker } from '../../src/sms/delivery/breaker.ts';
import { createDispatch, type Attempt } from '../../src/sms/delivery/dispatch.ts';
import { createSmsQueue } from '../../src/sms/delivery/worker.ts';
import { SmsError, type SmsConnector, type SmsMessage } from '../../src/sms/types.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-queue-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger('silent');
const msg: SmsMessage = { to: '+12025550100', body: '123456 is your code', usage: 'sign-in', locale: 'en' };
const opts = { timeoutMs: 200, retries: 2, backoffMs: 1, breakerThreshold: 3, breakerCooldownMs: 1_000 };

function scripted(id: string, answers: Array<'ok' | SmsError['code']>): SmsConnector & { calls: number } {
  const c = {
    id, calls: 0,
    async send() {
      const answer = answers[Math.min(c.calls, answers.length - 1)]!;
      c.calls += 1;
      if (answer === 'ok') return { providerMessageId: `${id}-${c.calls}` };
      throw new SmsError(answer, 'scripted');
    },
  };
  return c;
}

test('a message whose code expired is dropped, not sent; a sent message keeps no body', async () => {
  const store = openSqliteStore(join(dir, 'a.db'));
  let clock = 1_000_000;
  const sent: SmsMessage[] = [];
  const attempt: Attempt = async (m) => { sent.push(m); return { kind: 'sent', connector: 'x', providerMessageId: 'p1' }; };
  const queue = createSmsQueue(store, attempt, log, ['US'], () => clock);
  const stale = await store.smsOutbox.enqueue({ id: 'old', interactionUid: 'u', to: msg.to, body: 'old code 111111', usage: 'sign-in', locale: 'en', createdAt: clock - 400_000, expiresAt: clock - 100_000 });
  void stale;
  const fresh = await queue.enqueue({ ...msg, interactionUid: 'u', expiresAt: clock + 300_000 });
  await queue.drain();
  assert.deepEqual(sent.map((m) => m.body), [msg.body]);
  assert.equal((await store.smsOutbox.get('old'))?.status, 'failed');
  assert.equal((await store.smsOutbox.get('old'))?.error, 'expired');
  const row = await store.smsOutbox.get(fresh);
  assert.equal(row?.status, 'sent');
  assert.equal(row?.body, null, 'the code is not kept once sent');
  assert.equal(await store.smsOutbox.reportStatus('x', 'p1', 'delivered', clock), true);
  assert.equal((await store.smsOutbox.get(fresh))?.status, 'delivered');
  await assert.rejects(queue.enqueue({ ...msg, to: '+19005550100', expiresAt: clock + 1 }), { code: 'invalid_recipient' });
  await queue.stop();
  await store.close();
});

test('retries an unavailable provider, then fails over in order; a refused recipient stops the chain', async () => {
  const primary = scripted('primary', ['unavailable']);
  const secondary = scripted('secondary', ['rate_limited', 'ok']);
  const result = await createDispatch([primary, secondary], opts, log)(msg);
  assert.deepEqual(result, { connector: 'secondary', providerMessageId: 'secondary-2' });
  assert.equal(primary.calls, 3, 'first try plus two retries');

  const refusing = scripted('refusing', ['invalid_recipient']);
  const never = scripted('never', ['ok']);
  await assert.rejects(createDispatch([refusing, never], opts, log)(msg), { code: 'invalid_recipient' });
  assert.equal(refusing.calls, 1, 'no retry for a refused number');
  assert.equal(never.calls, 0, 'no failover for a refused number');
});

test('a hanging provider times out and the next one delivers', async () => {
  const hanging: SmsConnector = { id: 'hang', send: () => new Promise(() => {}) };
  const backup = scripted('backup', ['ok']);
  const result = await createDispatch([hanging, backup], { ...opts, retries: 0 }, log)(msg);
  assert.equal(result.connector, 'backup');
});

test('the circuit opens after repeated failures, skips the connector, and closes after a good trial', async () => {
  let clock = 0;
  const b = createBreaker(3, 1_000);
  for (let i = 0; i < 3; i += 1) { assert.ok(b.allows(clock)); b.failure(clock); }
  assert.equal(b.state, 'open');
  assert.equal(b.allows(clock + 500), false);
  clock += 1_000;
  assert.equal(b.allows(clock), true, 'one trial after the cooldown');
  assert.equal(b.allows(clock), false, 'only one');
  b.success();
  assert.equal(b.state, 'closed');

  const flaky = scripted('flaky', ['unavailable']);
  const backup = scripted('backup', ['ok']);
  const dispatch = createDispatch([flaky, backup], { ...opts, retries: 0, breakerThreshold: 2 }, log, () => clock);
  for (let i = 0; i < 4; i += 1) await dispatch(msg);
  assert.equal(flaky.calls, 2, 'skipped once its circuit opened');
  assert.equal(backup.calls, 4);
});

test('a slow provider gets at most `concurrency` messages at once; the rest wait their turn and all are sent', async () => {
  const store = openSqliteStore(join(dir, 'b.db'));
  const waiting: Array<() => void> = [];
  let calls = 0;
  const attempt: Attempt = () => new Promise((resolve) => {
    calls += 1;
    waiting.push(() => resolve({ kind: 'sent', connector: 'slow', providerMessageId: null }));
  });
  const queue = createSmsQueue(store, attempt, log, ['US'], Date.now, { concurrency: 32 });
  const ids = await Promise.all(Array.from({ length: 50 }, () => queue.enqueue({ ...msg, expiresAt: Date.now() + 300_000 })));
  while (calls < 32) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calls, 32, 'no more than 32 in flight');
  const drained = queue.drain();
  while (waiting.length) {
    waiting.shift()!();
    await new Promise((r) => setImmediate(r));
    while (!waiting.length && calls < 50) await new Promise((r) => setTimeout(r, 5));
  }
  await drained;
  assert.equal(calls, 50);
  for (const id of ids) assert.equal((await store.smsOutbox.get(id))?.status, 'sent');
  await queue.stop();
  await store.close();
});
