// The per-attempt timeout and a lost lease abort the provider call itself: the connection to a
// provider that never answers is closed (the real twilio SDK, and a fetch-based connector, against a
// local fake), so an attempt given up cannot deliver later beside the next one.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { connectorSchema } from '../../src/config/schema.ts';
import { createLogger } from '../../src/log.ts';
import { createDispatch } from '../../src/sms/delivery/dispatch.ts';
import { createConnector } from '../../src/sms/sender.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { fakeProvider } from '../helpers/fake-provider.ts';

const log = createLogger('silent');
const msg: SmsMessage = { to: '+12025550100', body: '123456 is your code', usage: 'sign-in' };
// The attempt's timeout: long enough for the request to reach the fake on a busy machine.
const delivery = { timeoutMs: 2_000, retries: 0, backoffMs: 10, breakerThreshold: 100, breakerCooldownMs: 1_000 };

let open = 0;
let closed = 0;
const provider = fakeProvider((_req, res: ServerResponse) => {
  open += 1;
  res.on('close', () => { closed += 1; });
  provider.hang(res); // never answers
});

async function closedAll(before: number): Promise<void> {
  for (let i = 0; closed - before < 1; i += 1) {
    if (i > 250) assert.fail('the provider connection stayed open');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The connectors' own timeouts are a minute: only the attempt's abort can close the connection.
const configs = () => ({
  twilio: connectorSchema.parse({ type: 'twilio', accountSid: `AC${'1'.repeat(32)}`, authToken: 'tok', from: '+15005550006', apiBaseUrl: provider.baseUrl, timeoutMs: 60_000 }),
  vonage: connectorSchema.parse({ type: 'vonage', apiKey: 'key', apiSecret: 'secret', from: 'Acme', apiBaseUrl: provider.baseUrl, timeoutMs: 60_000 }),
});

for (const type of ['twilio', 'vonage'] as const) {
  test(`${type}: the attempt's timeout closes the provider connection`, { timeout: 20_000 }, async () => {
    const before = closed;
    const opened = open;
    const dispatch = createDispatch([await createConnector(configs()[type])], delivery, log);
    const result = await dispatch.attempt(msg);
    assert.equal(result.kind, 'failed');
    assert.equal(result.kind === 'failed' && result.error.code, 'unavailable');
    assert.equal(open, opened + 1, 'one request reached the provider');
    await closedAll(before);
  });

  test(`${type}: a lost lease (the caller's signal) aborts the call and reports it aborted`, { timeout: 20_000 }, async () => {
    const before = closed;
    const dispatch = createDispatch([await createConnector(configs()[type])], { ...delivery, timeoutMs: 30_000 }, log);
    const lease = new AbortController();
    const attempt = dispatch.attempt(msg, { signal: lease.signal });
    while (open === 0 || closed >= open) await new Promise((r) => setTimeout(r, 10));
    lease.abort();
    assert.deepEqual(await attempt, { kind: 'aborted' });
    await closedAll(before);
  });
}
