// A SIGTERM during 50 in-flight sign-ins, on real processes and a real PostgreSQL: instance A (its
// database behind a gate that holds every query, so 50 code pages, each queuing its SMS, are in
// flight on it) and instance B on the same database, behind an active/passive balancer (each request to A unless A
// refuses the connection, then to B). SMS go through the twilio connector (the real SDK) to a fake
// Twilio that never answers A, so A's send attempts are under way when it stops (it gives them
// back) while B sends the rest of the queue.
// What a person and the operator see: each of the 50 requests in flight completes on A; every
// request after the SIGTERM is refused by A before it is accepted and served by B; all 50 sign-ins
// finish; A exits 0 within its grace period, having cut nothing; each SMS reaches the provider once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { submitCode } from '../helpers/login.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { freePort, pidOfLocalPort, startProcess, type Child } from '../helpers/process.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { CLIENT, LOOSE_LIMITS } from '../helpers/server.ts';
import { startTcpGate, type TcpGate } from '../helpers/tcp-gate.ts';

const LOGINS = 50;
const GRACE_MS = 12_000;
const PHONES = Array.from({ length: LOGINS }, (_, i) => `+120255501${String(i).padStart(2, '0')}`);

// The fake Twilio: a message counts once it has been answered 201; A's requests are held, never answered.
const delivered: { to: string; body: string }[] = [];
const unanswered: string[] = [];
const twilio = fakeProvider((req, res: ServerResponse, raw) => {
  const form = new URLSearchParams(raw);
  const to = form.get('To') ?? '';
  if (a?.proc.pid && pidOfLocalPort(req.socket.remotePort ?? 0, [a.proc.pid]) === a.proc.pid) {
    unanswered.push(to);
    twilio.hang(res);
    return;
  }
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ sid: `SM${String(delivered.length + 1).padStart(32, '0')}`, status: 'queued' }), () => {
    delivered.push({ to, body: form.get('Body') ?? '' });
  });
});

const dir = mkdtempSync(join(tmpdir(), 'flowgate-graceful-'));
let pg: PgServer;
let gate: TcpGate;
let proxy: RoundRobinProxy;
let a: Child;
let b: Child;

before(async () => {
  pg = await startPostgres();
  gate = await startTcpGate(pg.port);
  const ports = [await freePort(), await freePort()];
  proxy = await startRoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`), { failover: true });
  const configFile = join(dir, 'flowgate.yaml');
  writeFileSync(configFile, stringify({
    clients: [CLIENT],
    users: PHONES.map((phone) => ({ phone })),
    limits: LOOSE_LIMITS,
    logLevel: 'info',
    sms: {
      connectors: [{ type: 'twilio', accountSid: `AC${'4'.repeat(32)}`, authToken: 'tok', from: '+15005550006', apiBaseUrl: twilio.baseUrl, timeoutMs: 60_000 }],
      // Attempts wait on the fake until they are given up, and a few at a time: the rest stay queued.
      delivery: { timeoutMs: 60_000, retries: 0, concurrency: 4 },
    },
  }));
  const database = new URL(await pg.createDatabase());
  const env = { FLOWGATE_CONFIG: configFile, FLOWGATE_ISSUER: proxy.url, FLOWGATE_SHUTDOWN_GRACE_MS: String(GRACE_MS) };
  // A reaches the database through the gate, with room for every request to wait there on its own connection.
  const gated = new URL(database);
  gated.port = String(gate.port);
  [a, b] = await Promise.all([
    startProcess({ ...env, DATABASE_URL: gated.href, DATABASE_POOL_SIZE: '100', DATABASE_CONNECT_TIMEOUT_MS: '60000', DATABASE_STATEMENT_TIMEOUT_MS: '60000' }, ports[0]),
    startProcess({ ...env, DATABASE_URL: database.href }, ports[1]),
  ]);
}, { timeout: 100_000 });

after(async () => {
  gate?.release();
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.close();
  await gate?.close();
  await pg?.destroy();
  rmSync(dir, { recursive: true, force: true });
}, { timeout: 60_000 });

function authUrl(i: number): string {
  return `${proxy.url}/auth?${new URLSearchParams({
    client_id: CLIENT.client_id, response_type: 'code', redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', state: `s${i}`,
  })}`;
}

/** The phone page's form, sent without following the redirect: where the code page is. */
async function submitPhoneOnly(browser: Browser, page: Page, phone: string): Promise<string> {
  const answer = await browser.request(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), phone, then: 'sms' } });
  assert.equal(answer.status, 303);
  return answer.location!;
}

async function waitFor(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  for (const deadline = Date.now() + ms; !ok();) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function logLine(child: Child, msg: string): Record<string, unknown> {
  const line = child.output().split('\n').find((l) => l.includes(`"msg":"${msg}`));
  assert.ok(line, `no log line '${msg}' in:\n${child.output().slice(-3000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

test('SIGTERM during 50 in-flight sign-ins: all finish, A exits 0 in its grace period, every SMS is sent once', { timeout: 110_000 }, async (t) => {
  const browsers = PHONES.map(() => new Browser(proxy.url));
  const phonePages = await Promise.all(browsers.map((browser, i) => browser.go(authUrl(i))));
  for (const page of phonePages) assert.match(page.html, /autocomplete="tel"/, `the phone page: ${page.status}`);
  assert.ok(proxy.log.every((r) => r.backend === 0), 'so far A answered everything');

  // The phone submissions; the code pages they lead to (each queues its SMS) will be in flight.
  const redirects = await Promise.all(browsers.map((browser, i) => submitPhoneOnly(browser, phonePages[i]!, PHONES[i]!)));
  const first = proxy.log.length;
  gate.hold();
  const codePages = Promise.all(browsers.map((browser, i) => browser.go(redirects[i]!)));
  // All 50 are at A, none answered, and A is waiting on the database (requests that arrive together
  // share some reads, e.g. the key ring's revision, so fewer queries than requests may be held).
  const heldAtA = () => proxy.log.slice(first).filter((r) => r.backend === 0 && r.status === undefined).length;
  await waitFor('50 requests held at A, waiting on the database', () => heldAtA() >= LOGINS && gate.waiting >= 1);
  // A few more turns so that every request is inside A and waiting (not only sent to it by the proxy).
  await new Promise((r) => setTimeout(r, 500));

  const exited = once(a.proc, 'exit');
  a.proc.kill('SIGTERM');
  await waitFor('A to start its drain', () => a.output().includes('flowgate stopping'));
  gate.release();

  const pages: Page[] = await codePages;
  for (const page of pages) assert.match(page.html, /autocomplete="one-time-code"/, `the code page: ${page.status} ${page.html.slice(0, 200)}`);
  const inFlight = proxy.log.slice(first);
  assert.equal(inFlight.length, LOGINS);
  for (const r of inFlight) assert.deepEqual([r.backend, r.status, r.refused], [0, 200, undefined], 'each code page in flight completed on A');

  const [code] = await exited;
  assert.equal(code, 0, 'A exits 0');
  const stopping = logLine(a, 'flowgate stopping');
  assert.equal(stopping.inFlight, LOGINS, 'A had the 50 requests in flight when the drain began');
  const stopped = logLine(a, 'flowgate stopped');
  assert.equal(stopped.finished, LOGINS);
  assert.equal(stopped.cut, 0);
  assert.ok((stopped.ms as number) <= GRACE_MS, `A stopped within its grace period (${String(stopped.ms)} ms)`);
  assert.ok(unanswered.length > 0, `A was sending when it stopped:\n${a.output().split('\n').filter((l) => /sms|stopp/.test(l)).join('\n')}`);
  const released = logLine(a, 'sms queue stopped: messages it held are queued again for another instance');
  t.diagnostic(`A: drain ${String(stopped.ms)} ms (grace ${GRACE_MS}), ${unanswered.length} sends under way given up, ${String(released.messages)} leases given back`);

  // B sent what was still queued, and sends what A gave back.
  await waitFor('every SMS', () => delivered.length >= LOGINS, 60_000);
  const afterExit = proxy.log.length;
  const finished = await Promise.all(browsers.map(async (browser, i) => {
    const body = delivered.find((m) => m.to === PHONES[i])!.body;
    return submitCode(browser, pages[i]!, /#(\d{6})\s*$/.exec(body)![1]!);
  }));
  for (const page of finished) {
    assert.ok(page.location?.startsWith(`${CLIENT.redirect_uris[0]!}?code=`), `signed in: ${page.status} ${page.location ?? page.html.slice(0, 200)}`);
  }
  for (const r of proxy.log.slice(afterExit)) {
    assert.deepEqual([r.backend, r.refused], [1, [0]], `${r.method} ${r.path}: refused by A before it was accepted, served by B`);
  }
  // Each queued SMS reached the provider exactly once (a send A gave up never got an answer).
  await b.stop();
  assert.deepEqual(delivered.map((m) => m.to).sort(), [...PHONES].sort());
  assert.ok(proxy.log.every((r) => r.status !== undefined && r.status < 500), 'no request got a 5xx or was cut');
});
