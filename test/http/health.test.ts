// The probes on SQLite, in process: /healthz (alive), /readyz (ready: store, keys, flows, SMS worker;
// the failing part named), /health (the same decision in its original shape), never cached, no cookie.
// (PostgreSQL stopped and started under a running process: test/e2e/readiness.test.ts; a SIGTERM's
// drain: test/e2e/graceful-shutdown.test.ts.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

async function probe(path: string): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`);
  const text = await res.text();
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${path} answers JSON`);
  assert.equal(res.headers.get('cache-control'), 'no-store', `${path} is never cached`);
  assert.equal(res.headers.getSetCookie().length, 0, `${path} sets no cookie`);
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text, headers: res.headers };
}

const allOk = { store: { status: 'ok' }, keys: { status: 'ok' }, flows: { status: 'ok' }, sms: { status: 'ok' } };

test('ready: /healthz, /readyz and /health answer 200', { timeout: 30_000 }, async () => {
  assert.deepEqual((await probe('/healthz')).body, { status: 'ok' });
  const ready = await probe('/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body, { status: 'ok', checks: allOk });
  const health = await probe('/health');
  assert.equal(health.status, 200);
  assert.deepEqual(health.body, { status: 'ok' });
});

test('an SMS worker that stopped, then a closed store: /readyz names each failing part, /healthz stays 200', { timeout: 30_000 }, async () => {
  // A second instance on the same database file, so the shared one keeps serving the other tests.
  const other = await startServer({ dir: server.dir });
  try {
    await other.flowgate.close();
    let ready = await fetch(`${other.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', failing: ['sms'], checks: { ...allOk, sms: { status: 'failing', detail: 'stopped' } } });
    const health = await fetch(`${other.url}/health`);
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { status: 'unavailable' });
    assert.equal(health.headers.get('retry-after'), null, 'no store outage: nothing to retry soon');

    await other.store.close();
    ready = await fetch(`${other.url}/readyz`);
    assert.equal(ready.status, 503);
    const text = await ready.text();
    assert.deepEqual(JSON.parse(text), {
      status: 'unavailable', failing: ['store', 'sms'],
      checks: { ...allOk, store: { status: 'failing', detail: 'unreachable' }, sms: { status: 'failing', detail: 'stopped' } },
    });
    assert.doesNotMatch(text, /sqlite|flowgate\.db|\/tmp|Error|\bat /i, 'no path, error text or stack');
    const health2 = await fetch(`${other.url}/health`);
    assert.equal(health2.status, 503);
    assert.equal(health2.headers.get('retry-after'), '2', 'the store is down: try again in a moment');
    assert.equal((await fetch(`${other.url}/healthz`)).status, 200, 'the process is alive');
  } finally {
    await other.close().catch(() => {});
  }
});

test('shutting down: /readyz and /health 503, /healthz still 200', { timeout: 30_000 }, async () => {
  const other = await startServer({ dir: server.dir });
  try {
    other.flowgate.readiness.shuttingDown();
    const ready = await fetch(`${other.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'shutting_down' });
    assert.equal((await fetch(`${other.url}/health`)).status, 503);
    assert.equal((await fetch(`${other.url}/healthz`)).status, 200);
  } finally {
    await other.close();
  }
});
