// Two flowgate processes on one PostgreSQL behind a round-robin proxy (every request to the other
// instance): openid-client logins, 50 parallel right codes, the sending and guessing limits, a
// SIGKILL of the instance sending an SMS, a PostgreSQL restart. SMS go through the twilio connector
// (the real SDK) to a fake Twilio in this test, which counts a message only once it has answered it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { stringify } from 'yaml';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { submitCode, submitPhone } from '../helpers/login.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { freePort, pidOfLocalPort, runCommand, startProcess, type Child } from '../helpers/process.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { CLIENT } from '../helpers/server.ts';

// One number per test (or per part of one), all registered: a test's sends never count against another's caps.
const PHONE = {
  oidcA: '+12025550101', oidcB: '+12025550102', parallel: '+12025550103', sendCap: '+12025550104',
  guessing: '+12025550105', killed: '+12025550106', outage: '+12025550107',
};
const CLI_USER = '+12025550142';
const PER_NUMBER_HOUR = 3;
const LOCKOUT_AFTER = 6;
const LEASE_MS = 2000;

// ---------------------------------------------------------------------------------------------
// The fake Twilio: records each message once it has answered 201; may hold the next request open.

interface Delivered { to: string; body: string; pid: number | undefined }
const delivered: Delivered[] = [];
let holdNext: ((held: { to: string; pid: number | undefined; res: ServerResponse }) => void) | undefined;
const pids = () => [a, b].flatMap((c) => (c?.proc.pid ? [c.proc.pid] : []));

const twilio = fakeProvider((req, res, raw) => {
  const form = new URLSearchParams(raw);
  const to = form.get('To') ?? '';
  const body = form.get('Body') ?? '';
  const pid = pidOfLocalPort(req.socket.remotePort ?? 0, pids());
  if (holdNext) {
    const hold = holdNext;
    holdNext = undefined;
    twilio.hang(res);
    hold({ to, pid, res });
    return;
  }
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ sid: `SM${String(delivered.length + 1).padStart(32, '0')}`, status: 'queued', to, body }), () => {
    delivered.push({ to, body, pid });
  });
});

/** The code of the next message to `to` after the `seen`-th one (default: the newest once one more arrives). */
async function codeFor(to: string, seen = delivered.filter((m) => m.to === to).length - 1): Promise<string> {
  for (let waited = 0; ; waited += 25) {
    const line = delivered.filter((m) => m.to === to)[seen];
    if (line) return /#(\d{6})\s*$/.exec(line.body)![1]!;
    if (waited > 20_000) throw new Error(`no SMS to ${to}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const sentTo = (to: string) => delivered.filter((m) => m.to === to).length;

// ---------------------------------------------------------------------------------------------
// PostgreSQL, two flowgate processes (same config, same DATABASE_URL), the proxy in front.

const dir = mkdtempSync(join(tmpdir(), 'flowgate-two-inst-'));
const configFile = join(dir, 'flowgate.yaml');
let pg: PgServer;
let proxy: RoundRobinProxy;
let env: Record<string, string>;
let ports: [number, number];
let a: Child | undefined;
let b: Child | undefined;

async function startInstance(i: 0 | 1): Promise<Child> {
  const child = await startProcess(env, ports[i]);
  if (i === 0) a = child; else b = child;
  return child;
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = once(child.proc, 'exit');
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  pg = await startPostgres();
  ports = [await freePort(), await freePort()];
  proxy = await startRoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`), { forwarded: true });
  writeFileSync(configFile, stringify({
    appName: 'Two Instances',
    clients: [CLIENT],
    users: Object.values(PHONE).map((phone, i) => ({ phone, name: `User ${i}` })),
    trustProxy: true,
    logLevel: 'warn',
    limits: {
      sms: { cooldownSeconds: 0, perNumber: { hour: PER_NUMBER_HOUR, day: 10 }, perIp: { hour: 1000, day: 1000 }, perPrefix: { distinctNumbers: 1000 } },
      guessing: { lockoutAfter: LOCKOUT_AFTER, failuresPerIpPerHour: 1000 },
    },
    sms: {
      connectors: [{ type: 'twilio', accountSid: `AC${'3'.repeat(32)}`, authToken: 'tok', from: '+15005550006', apiBaseUrl: twilio.baseUrl, timeoutMs: 30_000 }],
      // A held send outlives the lease many times over: only the lease's expiry frees the message.
      delivery: { timeoutMs: 30_000, retries: 0, leaseMs: LEASE_MS },
    },
  }));
  env = { FLOWGATE_CONFIG: configFile, DATABASE_URL: await pg.createDatabase(), FLOWGATE_ISSUER: proxy.url, DATABASE_CONNECT_TIMEOUT_MS: '1000' };
  // Both start at once, as after a deploy: migrations, keys and secrets are made once.
  await Promise.all([startInstance(0), startInstance(1)]);
}, { timeout: 150_000 });

after(async () => {
  holdNext = undefined;
  await Promise.all([stopChild(a), stopChild(b)]);
  await proxy?.close();
  await pg?.destroy();
  rmSync(dir, { recursive: true, force: true });
  // Nothing is left running: both processes have exited and PostgreSQL no longer listens.
  for (const child of [a, b]) assert.ok(!child || child.proc.exitCode !== null || child.proc.signalCode !== null, 'a flowgate process is still running');
  if (pg) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(pg.port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(true));
    });
    assert.ok(refused, 'PostgreSQL still listens');
  }
}, { timeout: 60_000 });

// ---------------------------------------------------------------------------------------------
// Pages through the proxy.

function authUrl(extra: Record<string, string> = {}): string {
  return `${proxy.url}/auth?${new URLSearchParams({
    client_id: CLIENT.client_id, response_type: 'code', redirect_uri: CLIENT.redirect_uris[0]!,
    scope: 'openid phone profile', state: 'st', ...extra,
  })}`;
}

async function phonePage(url = authUrl()): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser(proxy.url);
  const page = await browser.go(url);
  assert.equal(page.status, 200, `the phone page: ${page.status} ${page.html.slice(0, 300)}`);
  assert.match(page.html, /autocomplete="tel"/);
  return { browser, page };
}

async function codePage(phone: string, url?: string): Promise<{ browser: Browser; page: Page; seen: number }> {
  const { browser, page } = await phonePage(url);
  const seen = sentTo(phone);
  const code = await submitPhone(browser, page, phone, 'sms');
  assert.equal(code.status, 200, `the code page: ${code.status} ${code.html.slice(0, 300)}`);
  assert.match(code.html, /autocomplete="one-time-code"/);
  return { browser, page: code, seen };
}

const isAppRedirect = (page: Page) => Boolean(page.location?.startsWith(`${CLIENT.redirect_uris[0]!}?`) && new URL(page.location).searchParams.get('code'));
const backendsOf = (from: number) => new Set(proxy.log.slice(from).map((r) => r.backend));
/** A readable page a person can act on: HTML with a heading, no stack trace, no raw error. */
function assertReadable(page: Page): void {
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.html, /<h1/);
  assert.doesNotMatch(page.html, /\n\s+at |Error:|ECONNREFUSED|store_unavailable|pg:|postgres/i);
}
/** A throwaway request so that the next one goes to `backend`. */
async function nextOn(backend: number): Promise<void> {
  while (proxy.next !== backend) await (await fetch(`${proxy.url}/.well-known/openid-configuration`)).arrayBuffer();
}

// ---------------------------------------------------------------------------------------------

test('a: openid-client logins whose requests alternate instances: tokens, userinfo and refresh are right', { timeout: 90_000 }, async () => {
  const config = await oidc.discovery(new URL(proxy.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  assert.equal(config.serverMetadata().issuer, proxy.url);
  for (const phone of [PHONE.oidcA, PHONE.oidcB]) {
    const from = proxy.log.length;
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone profile', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const { browser, page, seen } = await codePage(phone, url.href);
    const back = await submitCode(browser, page, await codeFor(phone, seen));
    assert.ok(isAppRedirect(back), `redirected to the app with a code: ${back.status} ${back.location ?? back.html.slice(0, 200)}`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    assert.equal(claims.iss, proxy.url);
    assert.equal(claims.phone_number, phone);
    assert.equal(claims.name, `User ${Object.values(PHONE).indexOf(phone)}`);
    assert.deepEqual(claims.amr, ['sms']);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.phone_number, phone);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()?.sub, claims.sub);

    const served = proxy.log.slice(from);
    assert.deepEqual([...backendsOf(from)].sort(), [0, 1], 'both instances served this login');
    served.forEach((r, i) => { if (i > 0) assert.notEqual(r.backend, served[i - 1]!.backend, `request ${i} went to the same instance as the one before`); });
    assert.ok(served.every((r) => (r.status ?? 0) < 500), `no 5xx: ${served.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`).join(', ')}`);
  }
});

test('b: 50 parallel right codes over both instances, each on its own connection: exactly one signs in, the rest get a refusal page', { timeout: 90_000 }, async () => {
  const { browser, page, seen } = await codePage(PHONE.parallel);
  const code = await codeFor(PHONE.parallel, seen);
  const from = proxy.log.length;
  const action = formAction(page.html, '/steps/');
  const form = { csrf: csrfOf(page.html), code };
  const answers = await Promise.all(Array.from({ length: 50 }, () => browser.request(action, { form })));
  const posts = proxy.log.slice(from);
  assert.deepEqual([0, 1].map((i) => posts.filter((r) => r.backend === i).length), [25, 25], 'the submissions alternated instances');
  assert.equal(new Set(posts.map((r) => r.connection)).size, 50, 'each submission came on its own connection');
  assert.ok(answers.every((r) => r.status < 500), `no 5xx: ${answers.map((r) => r.status).join(',')}`);
  // Each one's answer followed, as its browser tab would (Post/Redirect/Get).
  const results = await Promise.all(answers.map((r) => (r.location && new URL(r.location).origin === proxy.url ? browser.go(r.location) : r)));
  const wins = results.filter(isAppRedirect);
  assert.equal(wins.length, 1, `exactly one signs in: ${results.map((r) => `${r.status}${r.location ? `→${new URL(r.location).pathname}` : ''}`).join(', ')}`);
  assert.ok(proxy.log.slice(from).every((r) => (r.status ?? 0) < 500), `no 5xx: ${proxy.log.slice(from).map((r) => r.status).join(',')}`);
  for (const refused of results.filter((r) => !isAppRedirect(r))) {
    assert.ok(refused.status >= 400 && refused.status < 500, `a refusal, not ${refused.status}`);
    assertReadable(refused);
  }
});

test('c: the per-number send cap and the guessing limits count across both instances', { timeout: 90_000 }, async () => {
  // Sending: PER_NUMBER_HOUR codes to one number, each asked for through the other instance than the last.
  const sendBackends: number[] = [];
  for (let i = 0; i < PER_NUMBER_HOUR; i += 1) {
    const { browser, page } = await phonePage();
    await nextOn(i % 2);
    sendBackends.push(proxy.next);
    const next = await submitPhone(browser, page, PHONE.sendCap, 'sms');
    assert.match(next.html, /autocomplete="one-time-code"/, `code ${i + 1} of ${PER_NUMBER_HOUR} is sent`);
    await codeFor(PHONE.sendCap, i);
  }
  assert.deepEqual(sendBackends, [0, 1, 0].slice(0, PER_NUMBER_HOUR));
  for (const backend of [1, 0]) {
    const { browser, page } = await phonePage();
    await nextOn(backend);
    const held = await submitPhone(browser, page, PHONE.sendCap, 'sms');
    assert.equal(held.status, 429, `the cap holds on instance ${backend}`);
    assert.match(held.html, /We cannot send a code to this number right now/);
    assertReadable(held);
  }
  assert.equal(sentTo(PHONE.sendCap), PER_NUMBER_HOUR, `${PER_NUMBER_HOUR} codes sent, not more`);

  // Guessing: 5 wrong codes kill a code when they alternate instances (not 5 per instance) …
  const first = await codePage(PHONE.guessing);
  const right = await codeFor(PHONE.guessing, first.seen);
  const wrong = right === '000000' ? '111111' : '000000';
  const guessBackends = new Set<number>();
  let last: Page = first.page;
  for (let i = 1; i <= 5; i += 1) {
    await nextOn(i % 2);
    guessBackends.add(proxy.next);
    last = await submitCode(first.browser, first.page, wrong);
  }
  assert.deepEqual([...guessBackends].sort(), [0, 1]);
  assert.match(last.html, /no longer works/, 'the fifth wrong code across both instances kills the code');
  const late = await submitCode(first.browser, first.page, right);
  assert.ok(!isAppRedirect(late), 'the right code no longer signs in');
  // … and the failures per number count across interactions and instances: the 6th locks the number.
  const second = await codePage(PHONE.guessing);
  const right2 = await codeFor(PHONE.guessing, second.seen);
  await nextOn(0);
  const sixth = await submitCode(second.browser, second.page, right2 === '000000' ? '111111' : '000000');
  assert.match(sixth.html, /Too many failed attempts with this number/, `locked after ${LOCKOUT_AFTER} failures in all`);
  await nextOn(1);
  const refused = await submitCode(second.browser, second.page, right2);
  assert.ok(!isAppRedirect(refused), 'while locked, the right code is refused on the other instance too');
  assert.match(refused.html, /Too many failed attempts with this number/);
});

test('d: SIGKILL of the instance sending an SMS: the other sends it once its lease expires, exactly once', { timeout: 120_000 }, async () => {
  const heldReq = new Promise<{ to: string; pid: number | undefined; res: ServerResponse }>((resolve) => { holdNext = resolve; });
  const { browser, page, seen } = await codePage(PHONE.killed);
  const held = await heldReq;
  assert.equal(held.to, PHONE.killed);
  const victim = [a, b].findIndex((c) => c?.proc.pid === held.pid) as 0 | 1;
  assert.ok(victim === 0 || victim === 1, `the held request came from one of the instances (pid ${held.pid})`);
  const [dead, survivor] = victim === 0 ? [a!, b!] : [b!, a!];
  const closed = once(held.res, 'close');
  let restart: Promise<Child>;
  dead.proc.kill('SIGKILL');
  await once(dead.proc, 'exit');
  await closed; // the provider saw the request cut off: that message was never accepted

  let code: string;
  try {
    code = await codeFor(PHONE.killed, seen);
  } finally {
    // Whatever happened, the killed instance comes back for the next test (once the survivor had its chance).
    restart = startInstance(victim);
  }
  assert.equal(sentTo(PHONE.killed), seen + 1);
  assert.equal(delivered.filter((m) => m.to === PHONE.killed).at(-1)!.pid, survivor.proc.pid, 'the surviving instance sent it');

  // The killed instance comes back (same port, same proxy); the code works, and nothing is left to send.
  await restart;
  const done = await submitCode(browser, page, code);
  assert.ok(isAppRedirect(done), `the code signs in: ${done.status} ${done.html.slice(0, 200)}`);
  const { openStore } = await import('../../src/store/open.ts');
  const store = await openStore(env.DATABASE_URL!);
  try {
    assert.equal(await store.smsOutbox.pending(), 0, 'no message left queued or leased');
  } finally {
    await store.close();
  }
  assert.equal(sentTo(PHONE.killed), seen + 1, 'sent exactly once');
});

test('e: PostgreSQL restarts during logins: clear 503 pages, then logins work again without restarting flowgate, nothing lost', { timeout: 120_000 }, async () => {
  const added = await runCommand(['--import', 'tsx', 'src/cli.ts', 'users', 'add', '--phone', CLI_USER, '--name', 'Before Outage'], env);
  assert.equal(added.code, 0, added.out);
  const started = await codePage(PHONE.outage);
  const code = await codeFor(PHONE.outage, started.seen);

  await pg.stopServer();
  try {
    const from = proxy.log.length;
    for (let i = 0; i < 2; i += 1) {
      const down = await new Browser(proxy.url).go(authUrl());
      assert.equal(down.status, 503, `a new login while the database is down: ${down.status} ${down.html.replace(/\s+/g, ' ').slice(0, 600)}`);
      assertReadable(down);
      assert.match(down.html, /temporary problem on our side/);
    }
    // A load balancer's health check says so on both instances.
    const health = await Promise.all([0, 1].map(() => fetch(`${proxy.url}/health`, { headers: { accept: 'application/json' } })));
    assert.deepEqual(health.map((h) => h.status), [503, 503], 'GET /health is 503 on both instances while the database is down');
    const submit = await submitCode(started.browser, started.page, code);
    assert.equal(submit.status, 503, `a code submitted while the database is down: ${submit.status} ${submit.html.replace(/\s+/g, ' ').slice(0, 600)}`);
    assertReadable(submit);
    assert.deepEqual([...backendsOf(from)].sort(), [0, 1], 'both instances answered during the outage');
  } finally {
    await pg.startServer();
  }
  for (const child of [a!, b!]) assert.equal(child.proc.exitCode, null, `flowgate kept running through the outage:\n${child.output().slice(-2000)}`);

  // Back by itself: both instances' health checks pass again (a few tries while the pools reconnect).
  for (let tries = 0; ; tries += 1) {
    const health = await Promise.all([0, 1].map(async () => (await fetch(`${proxy.url}/health`)).status));
    if (health.every((status) => status === 200)) break;
    assert.ok(tries < 100, `/health still ${health.join(',')} after the database came back`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The login started before the outage finishes with its code …
  const resumed = await submitCode(started.browser, started.page, code);
  assert.ok(isAppRedirect(resumed), `the login started before the outage finishes: ${resumed.status} ${resumed.html.slice(0, 200)}`);
  // … and the user created before it signs in, with the name it was created with.
  const config = await oidc.discovery(new URL(proxy.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone profile', state: 'after',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const again = await codePage(CLI_USER, url.href);
  const back = await submitCode(again.browser, again.page, await codeFor(CLI_USER, again.seen));
  assert.ok(isAppRedirect(back));
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 'after' });
  assert.equal(tokens.claims()?.name, 'Before Outage');
  assert.equal(tokens.claims()?.phone_number, CLI_USER);
});
