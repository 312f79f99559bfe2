// The tests' load balancer (test/helpers/round-robin-proxy.ts): strict alternation per request even
// on one keep-alive connection, Host kept, X-Forwarded-* only when asked, a dead backend a 502.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { freePort } from '../helpers/process.ts';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';

const backends: Server[] = [];
const urls: string[] = [];
before(async () => {
  for (const name of ['zero', 'one']) {
    const server = createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ name, headers: req.headers })); });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    backends.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});
after(async () => {
  for (const server of backends) { server.closeAllConnections(); server.close(); }
});

/** GET over `agent` (one kept-alive connection when maxSockets is 1). */
async function get(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<{ status: number; backend?: string; body: string }> {
  const req = request(url, { agent, headers });
  req.end();
  const [res] = await once(req, 'response') as [import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode ?? 0, backend: res.headers['x-backend'] as string | undefined, body };
}

test('every request goes to the next backend, even on one keep-alive connection; Host is kept; no X-Forwarded-* by default', { timeout: 10_000 }, async () => {
  const proxy = await startRoundRobinProxy(urls);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const seen = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await get(`${proxy.url}/x?i=${i}`, agent);
      const { name, headers } = JSON.parse(res.body) as { name: string; headers: IncomingHttpHeaders };
      seen.push(name);
      assert.equal(headers.host, new URL(proxy.url).host, 'the Host the client sent (the issuer’s)');
      assert.equal(headers['x-forwarded-for'], undefined);
      assert.equal(headers['x-forwarded-proto'], undefined);
    }
    assert.deepEqual(seen, ['zero', 'one', 'zero', 'one', 'zero', 'one']);
    assert.deepEqual(proxy.counts, [3, 3]);
    assert.equal(new Set(proxy.log.map((r) => r.connection)).size, 1, 'all on one client connection');
    assert.deepEqual(proxy.log.map((r) => r.backend), [0, 1, 0, 1, 0, 1]);
  } finally {
    agent.destroy();
    await proxy.close();
  }
});

test('with forwarded: X-Forwarded-For gets the client address appended and X-Forwarded-Proto is http; a backend that is down answers 502', { timeout: 10_000 }, async () => {
  const proxy = await startRoundRobinProxy([urls[0]!, `http://127.0.0.1:${await freePort()}`], { forwarded: true });
  const agent = new Agent({ keepAlive: false });
  try {
    const up = await get(`${proxy.url}/`, agent, { 'x-forwarded-for': '203.0.113.9' });
    const { headers } = JSON.parse(up.body) as { headers: IncomingHttpHeaders };
    assert.equal(headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    const down = await get(`${proxy.url}/`, agent);
    assert.equal(down.status, 502);
    assert.equal(down.backend, '1');
    assert.deepEqual(proxy.log.map((r) => r.status), [200, 502]);
  } finally {
    agent.destroy();
    await proxy.close();
  }
});
