// /metrics: protected by a bearer token (401 without it), off by default, or on a listener of its
// own; after an SMS sign-in (one wrong code first) and a send held by the cooldown the counters
// moved; the latency histogram carries route patterns; no phone number and no IP anywhere in it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import { openPhonePage, submitCode, submitPhone, toCodePage } from '../helpers/login.ts';
import { freePort, startProcess } from '../helpers/process.ts';
import { CLIENT, LOOSE_LIMITS, REGISTERED, startServer, UNREGISTERED, type TestServer } from '../helpers/server.ts';
import { listenMetrics } from '../../src/metrics/listen.ts';
import { SmsError, type SmsConnector } from '../../src/sms/types.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
const scrape = (url: string, token = TOKEN) => fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });

/** The value of one sample (`name{a="b",…}`: the labels given must all match), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/gi)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

let server: TestServer;
before(async () => {
  server = await startServer({
    config: { metrics: { token: TOKEN }, limits: { ...LOOSE_LIMITS, sms: { ...LOOSE_LIMITS.sms, cooldownSeconds: 60 } } },
  });
});
after(async () => { await server.close(); });

test('without the bearer token /metrics answers 401 (WWW-Authenticate: Bearer), with it the Prometheus text', { timeout: 30_000 }, async () => {
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-0123456789abcdef' }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
    { authorization: `Bearer ${TOKEN}x` }, { authorization: 'Bearer ' }]) {
    const res = await fetch(`${server.url}/metrics`, { headers });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.doesNotMatch(await res.text(), /flowgate_/);
  }
  const res = await scrape(server.url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const text = await res.text();
  assert.ok(sample(text, 'flowgate_process_cpu_user_seconds_total')! >= 0, 'the default process metrics, prefixed flowgate_');
  assert.ok(sample(text, 'flowgate_nodejs_heap_size_used_bytes')! > 0);
});

test('after one SMS sign-in (a wrong code first) and one send held by the cooldown, the counters moved; no phone number or IP in the text', { timeout: 60_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  await submitCode(browser, page, right === '000000' ? '111111' : '000000');
  const done = await submitCode(browser, page, right);
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!), 'signed in');
  // Another sign-in to the same number within the cooldown: held back by the guard.
  const second = await openPhonePage(server);
  const held = await submitPhone(second.browser, second.page, REGISTERED);
  assert.equal(held.status, 429);
  await server.flowgate.drainSms();

  const text = await (await scrape(server.url)).text();
  if (process.env.SHOW_METRICS) console.log(text);
  assert.equal(sample(text, 'flowgate_logins_started_total', { flow: 'sign-in' }), 2, 'two interactions started the sign-in flow');
  assert.equal(sample(text, 'flowgate_logins_finished_total', { flow: 'sign-in', outcome: 'success' }), 1);
  assert.equal(sample(text, 'flowgate_logins_finished_total', { flow: 'sign-in', outcome: 'failed' }), undefined);
  assert.ok(sample(text, 'flowgate_step_results_total', { authenticator: 'identify-phone', result: 'success' })! >= 2);
  assert.equal(sample(text, 'flowgate_step_results_total', { authenticator: 'sms-otp', result: 'challenge' }), 1, 'the code was sent once');
  assert.equal(sample(text, 'flowgate_step_results_total', { authenticator: 'sms-otp', result: 'failure', error: 'code_invalid' }), 1, 'the wrong code');
  assert.equal(sample(text, 'flowgate_step_results_total', { authenticator: 'sms-otp', result: 'failure', error: 'send_held' }), 1, 'the held send');
  assert.equal(sample(text, 'flowgate_step_results_total', { authenticator: 'sms-otp', result: 'success' }), 1, 'the right code');
  assert.equal(sample(text, 'flowgate_sms_queued_total', { usage: 'sign-in', country: 'US' }), 1);
  assert.equal(sample(text, 'flowgate_sms_sent_total', { connector: 'outbox', usage: 'sign-in', country: 'US' }), 1);
  assert.equal(sample(text, 'flowgate_guard_blocks_total', { limit: 'number.cooldown' }), 1);
  assert.equal(sample(text, 'flowgate_sms_circuit_state', { connector: 'outbox', state: 'closed' }), 1);
  assert.equal(sample(text, 'flowgate_sms_circuit_state', { connector: 'outbox', state: 'open' }), 0);
  assert.equal(sample(text, 'flowgate_sms_queue_depth'), 0, 'everything queued was sent');
  assert.equal(sample(text, 'flowgate_sms_queue_oldest_due_age_seconds'), 0);
  // The latency histogram, by route pattern and status class.
  assert.ok(sample(text, 'flowgate_http_request_duration_seconds_count', { route: '/auth', status_class: '3xx' })! >= 2);
  assert.ok(sample(text, 'flowgate_http_request_duration_seconds_count', { route: '/interaction/:uid', status_class: '2xx' })! >= 2);
  assert.equal(sample(text, 'flowgate_http_request_duration_seconds_count', { route: '/interaction/:uid', status_class: '4xx' }), 2, 'the wrong-code page (400), the held page (429)');
  assert.ok(sample(text, 'flowgate_http_request_duration_seconds_count', { route: '/interaction/:uid/steps/:stepId', status_class: '3xx' })! >= 3);
  assert.ok(sample(text, 'flowgate_http_request_duration_seconds_bucket', { route: '/interaction/:uid', status_class: '2xx', le: '+Inf' })! >= 2);
  assert.ok(sample(text, 'flowgate_http_request_duration_seconds_count', { route: '/metrics', status_class: '4xx' })! >= 1, 'the refused scrapes');
  // No phone number in any spelling, no IP, no interaction uid.
  const uid = /\/interaction\/([^/]+)/.exec(page.url ?? done.location ?? '')?.[1];
  for (const pii of ['+12025550100', '12025550100', '2025550100', '202 555 0100', '202-555-0100', '(202) 555-0100', '555 0100', '5550100',
    '127.0.0.1', '::1', '::ffff:127', ...(uid ? [uid] : [])]) {
    assert.ok(!text.includes(pii), `the metrics contain ${pii}`);
  }
  assert.doesNotMatch(text, /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/, 'no IPv4 address');
});

test('a number without an account: the sign-in flow is counted as switched, and registration as started', { timeout: 60_000 }, async () => {
  const before = await (await scrape(server.url)).text();
  const { browser, page, code } = await toCodePage(server, UNREGISTERED);
  const next = await submitCode(browser, page, await code());
  assert.match(next.html, /autocomplete="name"/, 'the registration page');
  const text = await (await scrape(server.url)).text();
  const moved = (name: string, labels: Record<string, string>) => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
  assert.equal(moved('flowgate_logins_started_total', { flow: 'sign-in' }), 1);
  assert.equal(moved('flowgate_logins_finished_total', { flow: 'sign-in', outcome: 'switched' }), 1);
  assert.equal(moved('flowgate_logins_started_total', { flow: 'register' }), 1);
  assert.equal(moved('flowgate_logins_finished_total', { flow: 'sign-in', outcome: 'success' }), 0);
  assert.ok(!text.includes('2025550199'), 'no phone number');
});

test('a failing connector: its attempt error and the failover are counted; the message is sent by the next one', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-metrics-'));
  const failing: SmsConnector = { id: 'flaky', async send() { throw new SmsError('unavailable', 'down'); } };
  const { createConnector } = await import('../../src/sms/sender.ts');
  const outbox = await createConnector({ type: 'outbox', path: join(dir, 'outbox.jsonl') });
  const local = await startServer({
    dir, connectors: [failing, outbox],
    config: { metrics: { token: TOKEN }, sms: { connectors: [{ type: 'console' }, { type: 'outbox', path: join(dir, 'outbox.jsonl') }], delivery: { retries: 0 } } },
  });
  try {
    await toCodePage(local, REGISTERED);
    await local.flowgate.drainSms();
    const text = await (await scrape(local.url)).text();
    assert.equal(sample(text, 'flowgate_sms_attempt_errors_total', { connector: 'flaky', error: 'unavailable' }), 1);
    assert.equal(sample(text, 'flowgate_sms_failovers_total', { from: 'flaky', to: 'outbox' }), 1);
    assert.equal(sample(text, 'flowgate_sms_sent_total', { connector: 'outbox', usage: 'sign-in', country: 'US' }), 1);
    assert.equal(sample(text, 'flowgate_sms_circuit_state', { connector: 'flaky', state: 'closed' }), 1, 'one failure does not open the circuit');
  } finally {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('off by default: no /metrics on the public port', { timeout: 30_000 }, async () => {
  const plain = await startServer();
  try {
    assert.equal((await fetch(`${plain.url}/metrics`)).status, 404);
    assert.equal((await scrape(plain.url)).status, 404);
    assert.equal(plain.flowgate.metricsApp, undefined);
  } finally {
    await plain.close();
  }
});

test('metrics.listen: /metrics only on the metrics app (no token needed there), none on the public port', { timeout: 30_000 }, async () => {
  const local = await startServer({ config: { metrics: { listen: '127.0.0.1:9464' } } });
  let side: Server | undefined;
  try {
    assert.equal((await fetch(`${local.url}/metrics`)).status, 404);
    side = await listenMetrics(local.flowgate.metricsApp!, { host: '127.0.0.1', port: 0 });
    const at = `http://127.0.0.1:${(side.address() as AddressInfo).port}`;
    const res = await fetch(`${at}/metrics`);
    assert.equal(res.status, 200);
    assert.ok(sample(await res.text(), 'flowgate_sms_queue_depth') === 0);
    assert.equal((await fetch(`${at}/`)).status, 404, 'nothing else is served there');
  } finally {
    side?.closeAllConnections();
    await new Promise((r) => side ? side.close(r) : r(undefined));
    await local.close();
  }
});

test('a real process with metrics.listen and FLOWGATE_METRICS_TOKEN: the token is asked for on the metrics port', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-metrics-proc-'));
  const port = await freePort();
  const file = join(dir, 'flowgate.yaml');
  writeFileSync(file, `metrics:\n  listen: 127.0.0.1:${port}\nlogLevel: warn\n`);
  const child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'f.db')}`, FLOWGATE_CONFIG: file, FLOWGATE_METRICS_TOKEN: TOKEN });
  try {
    assert.equal((await fetch(`${child.url}/metrics`)).status, 404, 'not on the public port');
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 401);
    const res = await scrape(`http://127.0.0.1:${port}`);
    assert.equal(res.status, 200);
    assert.ok(sample(await res.text(), 'flowgate_process_resident_memory_bytes')! > 0);
    assert.ok(!child.output().includes(TOKEN), 'the token is never printed');
  } finally {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
