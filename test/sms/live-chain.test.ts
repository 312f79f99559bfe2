// The live connector chain: the real twilio SDK against two local fakes (A and B). Messages go to A,
// setChain to B, the next goes to B; a message in flight finishes on A; an unchanged connector keeps its
// circuit; test sends (sendTest) through the chain or one connector; the app reads the chain in use.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { connectorSchema, type ConnectorConfig } from '../../src/config/schema.ts';
import { createLogger } from '../../src/log.ts';
import { createLiveDispatch } from '../../src/sms/delivery/live.ts';
import { sendTest, testMessageBody } from '../../src/sms/delivery/test-send.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { startServer } from '../helpers/server.ts';

const log = createLogger('silent');
const delivery = { timeoutMs: 3000, retries: 0, backoffMs: 10, breakerThreshold: 1, breakerCooldownMs: 60_000 };
const HANG = '+12025550199';
const DOWN = '+12025550124';

interface Seen { to: string; body: string; auth: string }
const seenA: Seen[] = [];
const seenB: Seen[] = [];
let held: Array<() => void> = [];

function twilioFake(name: string, seen: Seen[]) {
  let n = 0;
  return (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const form = new URLSearchParams(raw);
    const to = form.get('To') ?? '';
    seen.push({ to, body: form.get('Body') ?? '', auth: Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString() });
    if (to === DOWN) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20503, message: 'Service Unavailable', status: 503 }));
      return;
    }
    n += 1;
    const sid = `SM${name.repeat(30)}${String(n).padStart(2, '0')}`;
    const answer = () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid, status: 'queued', to }));
    if (to === HANG) held.push(answer); else answer();
  };
}

const fakeA = fakeProvider(twilioFake('a', seenA));
const fakeB = fakeProvider(twilioFake('b', seenB));

const twilio = (base: string, token: string, extra: Record<string, unknown> = {}): ConnectorConfig => connectorSchema.parse({
  type: 'twilio', accountSid: `AC${'1'.repeat(32)}`, authToken: token, from: '+15005550006', apiBaseUrl: base, ...extra,
});
const msg = (to: string): SmsMessage => ({ to, body: 'hello', usage: 'generic' });
const reset = () => { seenA.length = 0; seenB.length = 0; held = []; };

test('setChain: messages go to A, then to B; the chain reports its configs and members', async () => {
  reset();
  const live = await createLiveDispatch([twilio(fakeA.baseUrl, 'token-a')], delivery, log);
  const first = await live(msg('+12025550100'));
  assert.equal(first.connector, 'twilio');
  assert.match(first.providerMessageId ?? '', /^SMa+01$/);
  assert.deepEqual(seenA.map((s) => [s.to, s.auth]), [['+12025550100', `AC${'1'.repeat(32)}:token-a`]]);

  await live.setChain([twilio(fakeB.baseUrl, 'token-b')]);
  const second = await live(msg('+12025550101'));
  assert.match(second.providerMessageId ?? '', /^SMb+01$/);
  assert.equal(seenA.length, 1, 'nothing more to A');
  assert.deepEqual(seenB.map((s) => [s.to, s.auth]), [['+12025550101', `AC${'1'.repeat(32)}:token-b`]]);
  assert.equal((live.configs()[0] as { authToken: string }).authToken, 'token-b');
  assert.deepEqual(live.members(), [{ type: 'twilio', id: 'twilio', circuit: 'closed' }]);
});

test('a message in flight finishes on the old chain; the next one uses the new', async () => {
  reset();
  const live = await createLiveDispatch([twilio(fakeA.baseUrl, 'token-a')], delivery, log);
  const inflight = live(msg(HANG));
  while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
  await live.setChain([twilio(fakeB.baseUrl, 'token-b')]);
  const next = await live(msg('+12025550102'));
  assert.match(next.providerMessageId ?? '', /^SMb+/);
  held.shift()!();
  const old = await inflight;
  assert.match(old.providerMessageId ?? '', /^SMa+/);
  assert.deepEqual(seenA.map((s) => s.to), [HANG]);
  assert.deepEqual(seenB.map((s) => s.to), ['+12025550102']);
});

test('an unchanged connector keeps its circuit; a changed one starts closed', async () => {
  reset();
  const a = twilio(fakeA.baseUrl, 'token-a');
  const outbox = connectorSchema.parse({ type: 'console' });
  const live = await createLiveDispatch([a, outbox], delivery, log);
  // threshold 1: one unavailable opens A's circuit; the console connector takes over.
  assert.equal((await live(msg(DOWN))).connector, 'console');
  assert.deepEqual(live.members().map((m) => m.circuit), ['open', 'closed']);
  // The same config written in another key order, and a console added: A is kept, circuit open.
  const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))) as ConnectorConfig;
  await live.setChain([reordered, outbox, outbox]);
  assert.deepEqual(live.members().map((m) => m.circuit), ['open', 'closed', 'closed']);
  assert.equal((await live(msg('+12025550103'))).connector, 'console');
  assert.equal(seenA.filter((s) => s.to === '+12025550103').length, 0, 'A skipped: circuit still open');
  // A changed (new token): a new connector, closed circuit, used again.
  await live.setChain([twilio(fakeA.baseUrl, 'token-a2'), outbox]);
  assert.deepEqual(live.members().map((m) => m.circuit), ['closed', 'closed']);
  assert.match((await live(msg('+12025550104'))).providerMessageId ?? '', /^SMa+/);
});

test('setChain: calls apply in order; an empty chain is refused and the chain stays', async () => {
  reset();
  const live = await createLiveDispatch([twilio(fakeA.baseUrl, 'token-a')], delivery, log);
  const one = live.setChain([twilio(fakeB.baseUrl, 'token-b')]);
  const two = live.setChain([twilio(fakeA.baseUrl, 'token-a3')]);
  await Promise.all([one, two]);
  assert.equal((live.configs()[0] as { authToken: string }).authToken, 'token-a3');
  await assert.rejects(live.setChain([]), /at least one connector/);
  assert.equal((live.configs()[0] as { authToken: string }).authToken, 'token-a3');
  await live(msg('+12025550105'));
  assert.deepEqual(seenA.map((s) => s.auth.split(':')[1]), ['token-a3']);
});

const testOpts = { appName: 'Acme', host: 'id.acme.test', defaultRegion: 'US', allowedCountries: ['US'], locale: 'en' };

test('sendTest: a [test] generic message through the chain, or through one connector of it', async () => {
  reset();
  const live = await createLiveDispatch([twilio(fakeA.baseUrl, 'token-a'), twilio(fakeB.baseUrl, 'token-b')], delivery, log);
  const viaChain = await sendTest(live, '(202) 555-0110', testOpts);
  assert.deepEqual(viaChain, { ok: true, to: '+12025550110', connector: 'twilio', providerMessageId: viaChain.ok ? viaChain.providerMessageId : null });
  assert.equal(seenA.length, 1);
  assert.equal(seenA[0]!.body, testMessageBody(testOpts));
  assert.match(seenA[0]!.body, /^\[test\] 000000 is your Acme code\. It expires in 5 minutes\.\n\n@id\.acme\.test #000000$/);

  const viaB = await sendTest(live, '+12025550111', { ...testOpts, connectorIndex: 1 });
  assert.ok(viaB.ok && /^SMb+/.test(viaB.providerMessageId ?? ''));
  assert.deepEqual(seenB.map((s) => s.to), ['+12025550111']);

  // One connector only: no failover to B when A fails; the live circuit is not moved.
  const down = await sendTest(live, DOWN, { ...testOpts, connectorIndex: 0 });
  assert.deepEqual(down, { ok: false, reason: 'not_sent', to: DOWN, error: 'unavailable' });
  assert.equal(seenB.length, 1);
  assert.deepEqual(live.members().map((m) => m.circuit), ['closed', 'closed']);

  assert.deepEqual(await sendTest(live, '+12025550112', { ...testOpts, connectorIndex: 2 }), { ok: false, reason: 'no_such_connector', connectorIndex: 2 });
  assert.deepEqual(await sendTest(live, 'call me', testOpts), { ok: false, reason: 'invalid_number', phone: 'invalid' });
  assert.deepEqual(await sendTest(live, '+1 800 555 0100', testOpts), { ok: false, reason: 'destination_refused', to: '+18005550100', refused: 'type_not_allowed' });
  assert.deepEqual(await sendTest(live, '+49 1512 3456789', testOpts), { ok: false, reason: 'destination_refused', to: '+4915123456789', refused: 'country_not_allowed' });
  assert.equal(seenA.length + seenB.length, 3, 'refused numbers reach no provider');
});

test('the app sends through the live chain and its status routes follow it', async () => {
  reset();
  const server = await startServer({ config: { sms: { connectors: [{ type: 'console' }], delivery } } });
  try {
    const post = (path: string) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'MessageSid=SM1&MessageStatus=delivered' });
    assert.equal((await post('/sms/status/twilio')).status, 404, 'no twilio in the chain: no route');
    await server.flowgate.smsChain.setChain([twilio(fakeB.baseUrl, 'token-b')]);
    assert.equal((await post('/sms/status/twilio')).status, 403, 'twilio now in the chain: its route checks the signature');
    const sent = await server.flowgate.smsChain(msg('+12025550120'));
    assert.match(sent.providerMessageId ?? '', /^SMb+/);
    assert.deepEqual(seenB.map((s) => s.to), ['+12025550120']);
    await server.flowgate.smsChain.setChain([{ type: 'console' }]);
    assert.equal((await post('/sms/status/twilio')).status, 404);
  } finally {
    await server.close();
  }
});
