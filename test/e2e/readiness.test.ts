// A real flowgate process on a real PostgreSQL: stopping the database turns /readyz 503 naming the
// store (and nothing about it: no URL, password, host or error text), /healthz stays 200 throughout,
// and /readyz is 200 again once the database is back, without a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { startProcess, type Child } from '../helpers/process.ts';

let pg: PgServer;
let child: Child | undefined;
before(async () => { pg = await startPostgres(); }, { timeout: 90_000 });
after(async () => { await child?.stop(); await pg?.destroy(); }, { timeout: 60_000 });

interface Probe { status: number; body: { status: string; failing?: string[]; checks?: Record<string, { status: string; detail?: string }> }; text: string }

async function probe(path: string): Promise<Probe> {
  const res = await fetch(`${child!.url}${path}`);
  const text = await res.text();
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return { status: res.status, body: JSON.parse(text) as Probe['body'], text };
}

/** Polls /readyz until it answers `status`; /healthz must answer 200 at every look. */
async function readyzUntil(status: number): Promise<Probe> {
  for (const deadline = Date.now() + 30_000; ;) {
    assert.equal((await probe('/healthz')).status, 200, '/healthz: the process is alive');
    const ready = await probe('/readyz');
    if (ready.status === status) return ready;
    if (Date.now() > deadline) assert.fail(`/readyz still answers ${ready.status}: ${ready.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('/readyz turns 503 naming the store while PostgreSQL is stopped and 200 when it is back; /healthz stays 200', { timeout: 100_000 }, async () => {
  const url = new URL(await pg.createDatabase());
  url.password = 'pw-never-shown-4711';
  child = await startProcess({ DATABASE_URL: url.href, DATABASE_CONNECT_TIMEOUT_MS: '1000' });
  assert.deepEqual((await readyzUntil(200)).body.failing, undefined);

  await pg.stopServer();
  const down = await readyzUntil(503);
  assert.equal(down.body.status, 'unavailable');
  assert.deepEqual(down.body.failing, ['store']);
  assert.deepEqual(down.body.checks?.store, { status: 'failing', detail: 'unreachable' });
  for (const leak of [url.password, url.host, String(pg.port), 'postgres', 'ECONNREFUSED', 'Error', '    at ']) {
    assert.ok(!down.text.includes(leak), `/readyz shows '${leak}': ${down.text}`);
  }
  const health = await probe('/health');
  assert.equal(health.status, 503);
  assert.deepEqual(health.body, { status: 'unavailable' });

  await pg.startServer();
  const back = await readyzUntil(200);
  assert.deepEqual(back.body, { status: 'ok', checks: { store: { status: 'ok' }, keys: { status: 'ok' }, flows: { status: 'ok' }, sms: { status: 'ok' } } });
  assert.deepEqual((await probe('/health')).body, { status: 'ok' });
  assert.equal(child.proc.exitCode, null, 'the same process, never restarted');
  assert.ok(!child.output().includes(url.password), 'the password is not in the logs either');
});
