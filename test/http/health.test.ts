// GET /health, a load balancer's check: 200 {"status":"ok"} while the store answers, never cached.
// (The 503 while PostgreSQL is down is checked end to end in test/e2e/two-instances.test.ts.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

test('GET /health answers 200 {"status":"ok"}, no-store, and sets no cookie', { timeout: 30_000 }, async () => {
  const res = await fetch(`${server.url}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.getSetCookie().length, 0);
});
