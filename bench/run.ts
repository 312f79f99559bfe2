// `npm run bench`: full sign-ins per second, flowgate vs a bare oidc-provider, same load client.
//
// Each server runs in its own child process; this process is only the load client. One "login"
// is: authorization request (PKCE S256, state, nonce) → hosted pages → code at the redirect_uri
// → token exchange (client_secret_basic) → ID token signature, iss, aud and nonce checked.
// For flowgate the SMS code is read from the `outbox` connector's JSONL file. The load client is
// bench/http-browser.ts (test/helpers/browser.ts's cookie jar on node:http, see there why).
//
// flowgate is also driven in a second login kind, "password" (flowgate only): phone with the
// "Continue with Password" choice (no SMS is sent) → password page → password (argon2id verify) → token. Its
// users are created in the bench SQLite file before flowgate starts, all with one argon2id hash
// of BENCH_PASSWORD made with flowgate's own hasher (same parameters, so no rehash on sign-in).
//
// Then the "code page": the latency of the one request that POSTs the phone number and gets the
// code page back, against two more flowgate processes, each with a `webhook` SMS connector pointed
// at its own fake provider in this process (FakeSmsProvider), which answers at once or after 2 s.
// The SMS is queued by the request and sent by flowgate's worker, so a slow provider should not
// show in the page's latency. Every queued SMS must reach its provider and be answered.
//
// Then the topologies: the same SMS logins against one flowgate on SQLite, one on PostgreSQL and two
// on one PostgreSQL database, each behind a round-robin proxy (bench/proxy-server.ts), phase by phase.
//
// First (phases cold-start and rss, bench/phases.ts): the compiled server's cold start (median of 5)
// and its RSS after 1,000 SMS logins. Every flowgate of this tree runs compiled (dist/main.js, built
// here if stale), as operators run it.
//
// Env: BENCH_N (logins per mode and code pages per instance, default 200), BENCH_C (concurrency,
//      default 8), BENCH_WARMUP (warm-up logins per server, and minimum unmeasured code pages
//      before each code-page run, default 50), BENCH_ONLY (phases to run, e.g. `cold-start,rss`),
//      BENCH_RSS_LOGINS (logins before the RSS reading, default 1000).
// Prints a table; the last line is `ratio: X.XX` = flowgate / bare concurrent SMS logins per second.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { stringify } from 'yaml';
import { build } from '../scripts/build.mjs';
import { serverArgs, serverEnv, serverFlags } from '../scripts/server-args.mjs';
import { createPasswordHasher, OWASP_ARGON2ID_DEFAULTS } from '../src/authenticators/password/hasher.ts';
import { openStore } from '../src/store/open.ts';
import { csrfOf, formAction } from '../test/helpers/browser.ts';
import { startPostgres, type PgServer } from '../test/helpers/postgres.ts';
import { coldStarts, median } from './cold-start.ts';
import { HttpBrowser, type BenchPage } from './http-browser.ts';
import { selectedPhases } from './phases.ts';
import { BENCH_CLIENT, BENCH_PHONES, BENCH_SCOPE } from './shared.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every bench user's password (not on the common-password list; only verified, never set). */
const BENCH_PASSWORD = 'bench-pass-7f3c9a1e';
const userName = (i: number) => `Bench User ${i}`;

/** An expected failure (a server or a login went wrong): reported without a stack trace. */
class BenchError extends Error {
  override name = 'BenchError';
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    // Nothing is started yet: just say what is wrong.
    process.stderr.write(`bench: ${name}: '${raw}' must be an integer in ${min}..${max}\n`);
    process.exit(2);
  }
  return n;
}

const N = intFromEnv('BENCH_N', 200, 1, 1_000_000);
// Each concurrent worker owns its phone numbers, so C is capped by the 100 seeded numbers.
const C = intFromEnv('BENCH_C', 8, 1, BENCH_PHONES.length);
const WARMUP = intFromEnv('BENCH_WARMUP', 50, 0, 1_000_000);
const RSS_LOGINS = intFromEnv('BENCH_RSS_LOGINS', 1000, 1, 1_000_000);
const PHASES = selectedPhases(process.env.BENCH_ONLY);

// ---------------------------------------------------------------------------------------------
// Child processes and temp dirs: everything started here is stopped in cleanup().

interface Server {
  name: string;
  url: string;
  /** What its discovery must name: its own URL, or the proxy's in front of it. */
  issuer: string;
  child: ChildProcess;
  startedAt: number;
  /** Seconds from spawn to the first answer on /.well-known/openid-configuration. */
  startSeconds?: number;
  /** Last lines the server wrote (stdout + stderr), for error reports. */
  output: string[];
  outputLines: number;
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
/** In-process servers (the fake SMS providers): closed after the children are stopped. */
const closers = new Set<() => Promise<void>>();

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!alive(child)) return;
  const exited = once(child, 'exit').catch(() => undefined);
  child.kill('SIGTERM');
  const timer = setTimeout(() => { if (alive(child)) child.kill('SIGKILL'); }, 3000);
  await exited;
  clearTimeout(timer);
}

let cleaned: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    await Promise.all([...children].map(stopChild));
    await Promise.all([...closers].map((close) => close().catch(() => undefined)));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaned;
}

// Last resort if we exit without awaiting cleanup(): synchronous kill and removal.
process.on('exit', () => {
  for (const child of children) if (alive(child)) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
// `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx),
// and a second, unhandled SIGINT would kill it before the cleanup is done.
let interrupted: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((done) => srv.close(() => done()));
  return port;
}

/** What `npm start` runs: the compiled server with package.json's node flags and environment (scripts/server-args.mjs). */
const COMPILED_FLOWGATE = serverArgs();
const COMPILED_ENV = serverEnv();
const PARENT_WATCH = join(ROOT, 'bench', 'parent-watch.mjs');

/** `script`: a .ts file (through tsx), or compiled JavaScript (run with `npm start`'s node flags). */
function startServer(name: string, script: string, env: Record<string, string>, port: number, cwd = ROOT, issuer = `http://127.0.0.1:${port}`): Server {
  const compiled = !script.endsWith('.ts');
  const args = compiled ? [...serverFlags(), '--import', PARENT_WATCH, script] : ['--import', 'tsx', '--import', PARENT_WATCH, script];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...(compiled ? COMPILED_ENV : {}), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const server: Server = { name, url: `http://127.0.0.1:${port}`, issuer, child, startedAt: performance.now(), output: [], outputLines: 0 };
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        server.outputLines += 1;
        server.output.push(line);
        if (server.output.length > 40) server.output.shift();
      }
    });
  }
  return server;
}

function serverFailure(server: Server, what: string): Error {
  const tail = server.output.length ? `\n--- last ${server.name} output ---\n${server.output.join('\n')}` : '';
  return new BenchError(`${server.name}: ${what}${tail}`);
}

async function waitReady(server: Server, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(server.child)) throw serverFailure(server, `exited during start (code ${server.child.exitCode}, signal ${server.child.signalCode})`);
    try {
      const res = await fetch(`${server.url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) {
        const meta = await res.json() as { issuer?: string };
        if (meta.issuer !== server.issuer) throw serverFailure(server, `issuer is ${meta.issuer}, expected ${server.issuer}`);
        server.startSeconds = (performance.now() - server.startedAt) / 1000;
        return;
      }
      await res.body?.cancel();
    } catch (err) {
      if ((err as Error).message.startsWith(`${server.name}:`)) throw err;
    }
    await sleep(100);
  }
  throw serverFailure(server, `no answer on /.well-known/openid-configuration within ${timeoutMs / 1000}s`);
}

/** Clock ticks per second for /proc/<pid>/stat times. */
const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) a live process has used so far, in ms. */
function cpuMsOf(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** CPU time this (load client) process has used so far, in ms. */
function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A memory figure of a live process from /proc/<pid>/status, in MB: VmHWM (peak RSS) or VmRSS (now). */
function statusMb(child: ChildProcess, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  if (!m) throw new Error(`no ${field} in /proc/${child.pid}/status`);
  return Number(m[1]) / 1024;
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
function peakRssMb(child: ChildProcess): number {
  return statusMb(child, 'VmHWM');
}

// ---------------------------------------------------------------------------------------------
// The outbox: an incremental reader keeping the newest code per phone number.

class OutboxReader {
  private offset = 0;
  private rest = Buffer.alloc(0);
  private seq = 0;
  private readonly newest = new Map<string, { seq: number; code: string }>();

  constructor(private readonly path: string) {}

  /** Reads what was appended since the last call (whole lines only). */
  private refresh(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const chunk = Buffer.alloc(size - this.offset);
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += read;
      const data = Buffer.concat([this.rest, chunk.subarray(0, read)]);
      const end = data.lastIndexOf(0x0a);
      this.rest = end < 0 ? data : data.subarray(end + 1);
      if (end < 0) return;
      for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
        if (!line) continue;
        const msg = JSON.parse(line) as { to: string; body: string };
        const m = /#([0-9A-Z]+)\s*$/.exec(msg.body);
        if (!m) throw new Error(`outbox: no code in SMS body: ${msg.body}`);
        this.seq += 1;
        this.newest.set(msg.to, { seq: this.seq, code: m[1]! });
      }
    } finally {
      closeSync(fd);
    }
  }

  /** A marker: codes sent to `phone` after this call have a larger sequence number. */
  mark(phone: string): number {
    this.refresh();
    return this.newest.get(phone)?.seq ?? 0;
  }

  /** The newest code sent to `phone` after `mark`. */
  async codeAfter(phone: string, mark: number): Promise<string> {
    for (let tries = 0; tries < 200; tries += 1) {
      this.refresh();
      const entry = this.newest.get(phone);
      if (entry && entry.seq > mark) return entry.code;
      await sleep(5);
    }
    throw new Error(`outbox: no new SMS to ${phone} in ${this.path}`);
  }
}

// ---------------------------------------------------------------------------------------------
// A fake SMS provider, in this process, for flowgate's `webhook` connector: it records every
// message (recipient, body) on arrival and answers `{"id": …}` after `delayMs`. A message's code
// becomes readable (codeAfter) once the provider has answered, i.e. when the SMS counts as sent.

interface ProviderMessage { to: string; body: string; receivedAt: number; answeredAt?: number }

class FakeSmsProvider implements CodeSource {
  /** Every message received, in order (the bodies, so the bench can read the codes). */
  readonly messages: ProviderMessage[] = [];
  answered = 0;
  /** Most messages waiting for the provider's answer at one time. */
  maxPending = 0;
  private readonly bad: string[] = [];
  private seq = 0;
  private readonly newest = new Map<string, { seq: number; code: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(readonly label: string, readonly delayMs: number, private readonly server: HttpServer, readonly url: string) {}

  static async start(label: string, delayMs: number): Promise<FakeSmsProvider> {
    const server = createHttpServer();
    server.keepAliveTimeout = 30_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const provider = new FakeSmsProvider(label, delayMs, server, `http://127.0.0.1:${port}/sms`);
    closers.add(() => provider.close());
    server.on('request', (req, res) => provider.handle(req, res));
    return provider;
  }

  get pending(): number { return this.messages.length - this.answered; }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let msg: { to?: unknown; text?: unknown } = {};
      try { msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof msg; } catch { /* below */ }
      if (req.method !== 'POST' || req.url !== '/sms' || typeof msg.to !== 'string' || typeof msg.text !== 'string') {
        this.bad.push(`${req.method} ${req.url}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request"}');
        return;
      }
      const m = /#([0-9A-Z]+)\s*$/.exec(msg.text);
      if (!m) this.bad.push(`no code in SMS body: ${msg.text}`);
      const entry: ProviderMessage = { to: msg.to, body: msg.text, receivedAt: performance.now() };
      this.messages.push(entry);
      const id = this.messages.length;
      this.maxPending = Math.max(this.maxPending, this.pending);
      const answer = () => {
        entry.answeredAt = performance.now();
        this.answered += 1;
        if (m) {
          this.seq += 1;
          this.newest.set(entry.to, { seq: this.seq, code: m[1]! });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `fake-${id}` }));
      };
      if (this.delayMs <= 0) { answer(); return; }
      const timer = setTimeout(() => { this.timers.delete(timer); answer(); }, this.delayMs);
      this.timers.add(timer);
    });
  }

  /** Throws if anything other than a well-formed message with a code reached the provider. */
  check(): void {
    if (this.bad.length) throw new BenchError(`fake provider (${this.label}): ${this.bad.length} bad request(s), first: ${this.bad[0]}`);
  }

  /** Waits until `expected` messages were received and every one of them was answered. */
  async settle(expected: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.messages.length < expected || this.pending > 0) {
      this.check();
      if (performance.now() > deadline) {
        throw new BenchError(`fake provider (${this.label}): ${this.messages.length} of ${expected} queued SMS received, `
          + `${this.answered} answered, within ${timeoutMs / 1000}s after the last code page`);
      }
      await sleep(20);
    }
    if (this.messages.length > expected) {
      throw new BenchError(`fake provider (${this.label}): ${this.messages.length} SMS received for ${expected} code pages`);
    }
    this.check();
  }

  mark(phone: string): number {
    return this.newest.get(phone)?.seq ?? 0;
  }

  async codeAfter(phone: string, mark: number): Promise<string> {
    const deadline = performance.now() + this.delayMs + 10_000;
    while (performance.now() < deadline) {
      const entry = this.newest.get(phone);
      if (entry && entry.seq > mark) return entry.code;
      await sleep(5);
    }
    throw new Error(`fake provider (${this.label}): no new SMS to ${phone}`);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

// ---------------------------------------------------------------------------------------------
// The load client.

interface Target {
  name: string;
  /** What one login is on this target: 'sms', 'password' (flowgate) or 'button' (bare). */
  login: string;
  /** If set, the ID token's amr must include it (proves which step signed the user in). */
  amr?: string;
  /** The issuer: the server's URL, or the round-robin proxy's in front of its instances. */
  url: string;
  /** The flowgate process(es) behind `url` (their CPU is added up). */
  servers: Server[];
  jwks: ReturnType<typeof createLocalJWKSet>;
  /** Keep-alive connections to this server, shared by all of its logins. */
  agent: Agent;
  /** From the first page after /auth to the off-origin redirect to the client. */
  walk(browser: HttpBrowser, first: BenchPage, phone: string): Promise<BenchPage>;
}

function expectPage(page: BenchPage, marker: string, what: string): void {
  if (page.status !== 200 || !page.html.includes(marker)) {
    throw new Error(`expected ${what}, got ${page.status}${page.location ? ` → ${page.location}` : ''}: ${page.html.slice(0, 300)}`);
  }
}

/** Where the load client reads the SMS codes flowgate sent: the outbox file or a fake provider. */
interface CodeSource {
  mark(phone: string): number;
  codeAfter(phone: string, mark: number): Promise<string>;
}

function flowgateWalk(outbox: CodeSource): Target['walk'] {
  return async (browser, first, phone) => {
    expectPage(first, 'autocomplete="tel"', 'the phone page');
    const mark = outbox.mark(phone);
    const codePage = await browser.go(formAction(first.html, '/steps/'), { form: { csrf: csrfOf(first.html), phone, then: 'sms' } });
    expectPage(codePage, 'autocomplete="one-time-code"', 'the code page');
    const code = await outbox.codeAfter(phone, mark);
    return browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), code } });
  };
}

/** Phone with "Continue with Password" (no SMS is sent) → password page → password. */
const flowgatePasswordWalk: Target['walk'] = async (browser, first, phone) => {
  expectPage(first, 'autocomplete="tel"', 'the phone page');
  expectPage(first, 'name="then" value="password"', 'a "continue with password" choice on the phone page');
  const passwordPage = await browser.go(formAction(first.html, '/steps/'), { form: { csrf: csrfOf(first.html), phone, then: 'password' } });
  expectPage(passwordPage, 'autocomplete="current-password"', 'the password page');
  return browser.go(formAction(passwordPage.html, '/steps/'), { form: { csrf: csrfOf(passwordPage.html), password: BENCH_PASSWORD } });
};

const bareWalk: Target['walk'] = async (browser, first) => {
  expectPage(first, '/login"', 'the sign-in form');
  return browser.go(formAction(first.html, '/login'), { form: { submit: '1' } });
};

const b64url = (buf: Buffer) => buf.toString('base64url');
const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(BENCH_CLIENT.client_id)}:${encodeURIComponent(BENCH_CLIENT.client_secret)}`).toString('base64')}`;
const REDIRECT_URI = BENCH_CLIENT.redirect_uris[0]!;

/** A fresh authorization request (PKCE S256, state, nonce) to `origin`'s /auth. */
function authorizationRequest(origin: string): { url: string; verifier: string; state: string; nonce: string } {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const params = new URLSearchParams({
    client_id: BENCH_CLIENT.client_id, response_type: 'code', redirect_uri: REDIRECT_URI, scope: BENCH_SCOPE,
    state, nonce, code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  });
  return { url: `${origin}/auth?${params}`, verifier, state, nonce };
}

async function login(target: Target, phone: string): Promise<void> {
  const { url, verifier, state, nonce } = authorizationRequest(target.url);
  const browser = new HttpBrowser(target.url, target.agent);
  const first = await browser.go(url);
  const back = await target.walk(browser, first, phone);
  if (!back.location?.startsWith(`${REDIRECT_URI}?`)) {
    throw new Error(`expected a redirect to the client, got ${back.status}${back.location ? ` → ${back.location}` : ''}: ${back.html.slice(0, 300)}`);
  }
  const answer = new URL(back.location).searchParams;
  if (answer.get('error')) throw new Error(`authorization error: ${answer.get('error')} ${answer.get('error_description') ?? ''}`);
  if (answer.get('state') !== state) throw new Error('state mismatch at the redirect_uri');
  const code = answer.get('code');
  if (!code) throw new Error(`no code at the redirect_uri: ${back.location}`);

  const res = await browser.request(`${target.url}/token`, {
    headers: { authorization: BASIC, accept: 'application/json' },
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
  });
  let tokens: { id_token?: string; access_token?: string; error?: string; error_description?: string } = {};
  try {
    tokens = JSON.parse(res.html) as typeof tokens;
  } catch { /* reported below */ }
  if (res.status !== 200 || !tokens.id_token || !tokens.access_token) {
    throw new Error(`token exchange failed (${res.status}): ${tokens.error ?? ''} ${tokens.error_description ?? res.html.slice(0, 300)}`);
  }
  const { payload } = await jwtVerify(tokens.id_token, target.jwks, { issuer: target.url, audience: BENCH_CLIENT.client_id });
  if (payload.nonce !== nonce) throw new Error('nonce mismatch in the ID token');
  if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('no sub in the ID token');
  if (target.amr && !(Array.isArray(payload.amr) && payload.amr.includes(target.amr))) {
    throw new Error(`ID token amr is ${JSON.stringify(payload.amr)}, expected it to include '${target.amr}'`);
  }
}

interface RunResult {
  logins: number;
  seconds: number;
  latenciesMs: number[];
  requests: number;
  /** CPU time used by the server process and by this load client during the run. */
  serverCpuMs: number;
  clientCpuMs: number;
}

/** `total` logins by `concurrency` workers; worker w only ever uses phone numbers i with i % concurrency === w. */
async function drive(target: Target, total: number, concurrency: number): Promise<RunResult> {
  const phonesOf = Array.from({ length: concurrency }, (_, w) => BENCH_PHONES.filter((_p, i) => i % concurrency === w));
  const latenciesMs: number[] = [];
  const requestsBefore = HttpBrowser.requests;
  let next = 0;
  let failed = false;
  const serversCpuMs = () => target.servers.reduce((sum, s) => sum + cpuMsOf(s.child), 0);
  const serverCpuBefore = serversCpuMs();
  const clientCpuBefore = ownCpuMs();
  const started = performance.now();
  await Promise.all(phonesOf.map(async (phones) => {
    for (let k = 0; !failed; k += 1) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      try {
        await login(target, phones[k % phones.length]!);
      } catch (err) {
        failed = true;
        const gone = target.servers.find((s) => !alive(s.child));
        const exit = gone ? ` (${gone.name} exited: code ${gone.child.exitCode}, signal ${gone.child.signalCode})` : '';
        throw new BenchError(`${target.name}: login ${i + 1}/${total} failed: ${(err as Error).message}${exit}`, { cause: err });
      }
      latenciesMs.push(performance.now() - t0);
    }
  }));
  return {
    logins: total,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    requests: HttpBrowser.requests - requestsBefore,
    serverCpuMs: serversCpuMs() - serverCpuBefore,
    clientCpuMs: ownCpuMs() - clientCpuBefore,
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------

// One argon2id hash of BENCH_PASSWORD (flowgate's hasher and parameters), made once, shared by
// every user of every flowgate instance: a bench needs no per-user salt.
let benchHash: Promise<string> | undefined;
const benchPasswordHash = () => (benchHash ??= createPasswordHasher().hash(BENCH_PASSWORD));

/**
 * The abuse guard as the bench runs it: every check and count made in the store, with caps no
 * bench run reaches (one load client, one IP, 100 numbers, thousands of logins). `off` turns the
 * guard off, for the with/without comparison.
 */
const BENCH_LIMITS = {
  on: {
    sms: { cooldownSeconds: 0, perNumber: { hour: 10_000_000, day: 10_000_000 }, perIp: { hour: 10_000_000, day: 10_000_000 },
      perPrefix: { distinctNumbers: 100_000 }, global: { hour: 10_000_000, day: 10_000_000 } },
  },
  off: { enabled: false },
};

/**
 * The last commit before Post/Redirect/Get (issue 9), where a step's POST answered with the next
 * page itself: unpacked from git into a temp dir (sharing node_modules), so the same run measures
 * what the redirect costs. Undefined without git history (a tarball).
 */
const BEFORE_PRG = '699686a';
function beforePrgTree(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-before-prg-'));
  tempDirs.add(dir);
  try {
    execFileSync('sh', ['-c', `git archive ${BEFORE_PRG} | tar -x -C "$1"`, 'sh', dir], { cwd: ROOT, stdio: 'ignore' });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  } catch {
    return undefined;
  }
}

/** A flowgate's temp dir, config and seeded store, shared by every process started from it. */
interface FlowgateSetup { dir: string; root: string; env: Record<string, string> }

/**
 * A temp dir with flowgate's config, and its store seeded with the bench users: a SQLite file in the
 * dir, or `databaseUrl` (a PostgreSQL database several instances share). `connector(dir)` is its one
 * SMS connector's config (given the temp dir, e.g. for an outbox file).
 */
async function setUpFlowgate(connector: (dir: string) => Record<string, unknown>, delivery?: Record<string, unknown>, guard: keyof typeof BENCH_LIMITS = 'on', root = ROOT, databaseUrl?: string): Promise<FlowgateSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-bench-'));
  tempDirs.add(dir);
  const configPath = join(dir, 'flowgate.yaml');
  const dbUrl = databaseUrl ?? `sqlite:${join(dir, 'bench.db')}`;
  // The users, with a password, straight into the store flowgate will open.
  const passwordHash = await benchPasswordHash();
  const store = await openStore(dbUrl);
  try {
    for (const [i, phone] of BENCH_PHONES.entries()) {
      await store.users.create({ phone, phoneVerified: true, name: userName(i), passwordHash });
    }
  } finally {
    await store.close(); // before flowgate opens the file
  }
  writeFileSync(configPath, stringify({
    clients: [{ ...BENCH_CLIENT, client_name: 'Bench App', firstParty: true }, BENCH_ADMIN],
    sms: { connectors: [connector(dir)], ...(delivery ? { delivery } : {}) },
    // The same users as config seeds: flowgate creates seeds only if missing, so these are no-ops.
    users: BENCH_PHONES.map((phone, i) => ({ phone, name: userName(i) })),
    flowsDir: join(root, 'flows'),
    limits: BENCH_LIMITS[guard],
    logLevel: 'warn',
  }));
  return { dir, root, env: { FLOWGATE_CONFIG: configPath, DATABASE_URL: dbUrl, NODE_ENV: 'development', BENCH_CLEAN_DIR: dir } };
}

/** One flowgate process of a setup on `port`; `issuer` is the proxy's URL when one is in front. */
function spawnFlowgate(name: string, setup: FlowgateSetup, port: number, issuer = `http://127.0.0.1:${port}`): Server {
  // This tree runs compiled; an earlier one unpacked from git (no dist/) runs its sources.
  const script = setup.root === ROOT ? COMPILED_FLOWGATE.at(-1)! : 'src/main.ts';
  return startServer(name, script, { ...setup.env, FLOWGATE_ISSUER: issuer }, port, setup.root, issuer);
}

/** A flowgate in its own process, on its own temp dir and SQLite file, seeded with the bench users. */
async function startFlowgate(name: string, connector: (dir: string) => Record<string, unknown>, delivery?: Record<string, unknown>, guard: keyof typeof BENCH_LIMITS = 'on', root = ROOT): Promise<Server> {
  return spawnFlowgate(name, await setUpFlowgate(connector, delivery, guard, root), await freePort());
}

/** The bench's automation client: it edits flows live through the admin API (client credentials). */
const BENCH_ADMIN = { client_id: 'bench-admin', client_secret: 'bench-admin-secret-0123456789abcdef', adminApi: true };

/**
 * A live edit through the admin API while the server runs: copy the sign-in flow, bind the copy
 * (so the next logins run the admin's version, read from the store), nothing restarted.
 */
async function liveEdit(server: Server): Promise<void> {
  const basic = Buffer.from(`${BENCH_ADMIN.client_id}:${BENCH_ADMIN.client_secret}`).toString('base64');
  const tokenRes = await fetch(`${server.url}/token`, {
    method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }),
  });
  if (!tokenRes.ok) throw new BenchError(`admin token: ${tokenRes.status} ${await tokenRes.text()}`);
  const { access_token: token } = await tokenRes.json() as { access_token: string };
  const api = async (method: string, path: string, body?: unknown, ifMatch?: string) => {
    const res = await fetch(`${server.url}/admin/api${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new BenchError(`admin API ${method} ${path}: ${res.status} ${await res.text()}`);
    return { etag: res.headers.get('etag') ?? undefined, body: await res.json() as Record<string, unknown> };
  };
  await api('POST', '/flows/sign-in/copy', { id: 'bench-sign-in' });
  const bindings = await api('GET', '/bindings');
  await api('PUT', '/bindings', { ...bindings.body, 'sign-in': 'bench-sign-in' }, bindings.etag);
}

async function startBare(): Promise<Server> {
  const port = await freePort();
  return startServer('bare', 'bench/bare-provider.ts', { BARE_ISSUER: `http://127.0.0.1:${port}`, NODE_ENV: 'development', BENCH_CLEAN_DIR: '' }, port);
}

/** Logins against one server, or (`front`) against the proxy in front of one or more instances. */
async function targetFor(server: Server | { name: string; url: string; servers: Server[] }, login: string, walk: Target['walk']): Promise<Target> {
  const servers = 'servers' in server ? server.servers : [server];
  const meta = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
  const jwks = await (await fetch(meta.jwks_uri)).json() as JSONWebKeySet;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return { name: server.name, login, url: server.url, servers, jwks: createLocalJWKSet(jwks), agent, walk };
}

/** peakMb: the server's VmHWM right after this measure() call (it only ever grows). */
interface Measured { target: Target; sequential: RunResult; concurrent: RunResult; peakMb: number }

/**
 * Phase by phase, the targets back to back (warm-up, then sequential, then concurrent), so the
 * two runs that make the ratio are close in time; a server is never driven while the other is.
 */
async function measure(targets: Target[]): Promise<Measured[]> {
  const phases: [label: string, total: number, concurrency: number][] = [
    ['warm-up', WARMUP, Math.min(C, WARMUP)],
    ['sequential', N, 1],
    [`concurrent (C=${C})`, N, C],
  ];
  const runs = targets.map(() => [] as RunResult[]);
  for (const [label, total, concurrency] of phases) {
    for (const [i, target] of targets.entries()) {
      process.stderr.write(`bench: ${target.name}: ${total} ${label} ${target.login} logins …`);
      const started = performance.now();
      runs[i]!.push(total ? await drive(target, total, concurrency) : emptyRun());
      const gone = target.servers.find((s) => !alive(s.child));
      if (gone) throw serverFailure(gone, `exited during the ${label} run`);
      process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
    }
  }
  return targets.map((target, i) => ({
    target, sequential: runs[i]![1]!, concurrent: runs[i]![2]!, peakMb: Math.max(...target.servers.map((s) => peakRssMb(s.child))),
  }));
}

function emptyRun(): RunResult {
  return { logins: 0, seconds: 0, latenciesMs: [], requests: 0, serverCpuMs: 0, clientCpuMs: 0 };
}

// ---------------------------------------------------------------------------------------------
// Topologies: the same SMS logins against one flowgate on SQLite, one on PostgreSQL and two on one
// PostgreSQL database, each behind its own round-robin proxy (bench/proxy-server.ts: the tests'
// test/helpers/round-robin-proxy.ts in a process of its own; every request to the next instance,
// no affinity), so the three figures carry the same extra hop. The instances of one topology share
// one config, one outbox file and one store; PostgreSQL is a throwaway server (test/helpers/postgres.ts).

interface Topology { label: string; instances: number; store: 'sqlite' | 'postgres' }
const TOPOLOGIES: readonly Topology[] = [
  { label: 'SQLite ×1', instances: 1, store: 'sqlite' },
  { label: 'PostgreSQL ×1', instances: 1, store: 'postgres' },
  { label: 'PostgreSQL ×2', instances: 2, store: 'postgres' },
];

/** The topologies' targets, started together; or why they cannot run here (no PostgreSQL binaries). */
async function startTopologies(): Promise<{ targets: Target[]; proxies: Server[]; stop(): Promise<void> } | { skipped: string }> {
  let pg: PgServer;
  try {
    pg = await startPostgres();
  } catch (err) {
    return { skipped: (err as Error).message };
  }
  closers.add(() => pg.destroy());
  const started = await Promise.all(TOPOLOGIES.map(async (t) => {
    const ports = await Promise.all(Array.from({ length: t.instances }, () => freePort()));
    const proxyPort = await freePort();
    const proxy = startServer(`proxy ${t.label}`, 'bench/proxy-server.ts', {
      BENCH_BACKENDS: ports.map((port) => `http://127.0.0.1:${port}`).join(','), NODE_ENV: 'development', BENCH_CLEAN_DIR: '',
    }, proxyPort);
    let outbox: OutboxReader | undefined;
    const setup = await setUpFlowgate((dir) => {
      outbox = new OutboxReader(join(dir, 'outbox.jsonl'));
      return { type: 'outbox', path: join(dir, 'outbox.jsonl') };
    }, undefined, 'on', ROOT, t.store === 'postgres' ? await pg.createDatabase() : undefined);
    // Instances of one topology start at once, as after a deploy (migrations under the advisory lock).
    const servers = ports.map((port, i) => spawnFlowgate(`flowgate ${t.label}${t.instances > 1 ? ` #${i + 1}` : ''}`, setup, port, proxy.url));
    return { t, proxy, servers, outbox: outbox! };
  }));
  // Four processes starting together on a small machine: more time than one alone needs.
  await Promise.all(started.flatMap(({ servers }) => servers.map((server) => waitReady(server, 90_000))));
  await Promise.all(started.map(({ proxy }) => waitReady(proxy))); // discovery through the proxy: every backend's issuer
  const targets = await Promise.all(started.map(({ t, proxy, servers, outbox }) =>
    targetFor({ name: `flowgate ${t.label}`, url: proxy.url, servers }, 'sms', flowgateWalk(outbox))));
  return {
    targets,
    proxies: started.map(({ proxy }) => proxy),
    async stop() {
      for (const target of targets) target.agent.destroy();
      await Promise.all(started.flatMap(({ servers, proxy }) => [proxy, ...servers].map((server) => stopChild(server.child))));
      await pg.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The code page: how long POST phone → code page takes when the SMS provider is fast, and when it
// takes 2 s to answer. Two more flowgate processes, each with one `webhook` connector pointed at
// its own FakeSmsProvider; the SMS is queued by the request and sent by flowgate's worker.

const SLOW_PROVIDER_MS = 2000;
/**
 * Each measured code-page run directly follows at least this much of the same load, unmeasured
 * (and at least BENCH_WARMUP code pages): the 2 s provider's answers to earlier messages then
 * land, and are recorded by flowgate, while the measured requests run, as in a steady state.
 */
const PRELOAD_MS = SLOW_PROVIDER_MS + 500;
/** Before any of that, each instance is warmed up (JIT, caches) by this much load, untimed. */
const CODE_PAGE_WARMUP_MS = 5000;

interface CodePageInstance {
  /** 'provider fast' or 'provider 2 s'. */
  label: string;
  provider: FakeSmsProvider;
  server: Server;
  agent: Agent;
  /** SMS this instance queued (one per code page it answered): what its provider must receive. */
  queued: number;
  latenciesMs: number[];
  /** One full SMS login afterwards, the code read from the provider once it answered. */
  loginMs?: number;
}

async function startCodePageInstance(label: string, delayMs: number): Promise<CodePageInstance> {
  const provider = await FakeSmsProvider.start(label, delayMs);
  const server = await startFlowgate(`flowgate (code page, ${label})`, () => ({
    type: 'webhook', url: provider.url, method: 'POST', bodyFormat: 'json',
    bodyTemplate: { to: '{{to}}', text: '{{body}}' }, messageIdPath: 'id',
  // The bench sends far more codes per second than a login server meets; enough sends in flight
  // that a 2 s provider keeps up (the default, 64, allows 32 SMS/s at 2 s each).
  }), { concurrency: 1024 });
  return { label, provider, server, agent: new Agent({ keepAlive: true, maxSockets: 64 }), queued: 0, latenciesMs: [] };
}

/** /auth → phone page (not timed), then the timed POST of the phone number → the code page. */
async function codePage(inst: CodePageInstance, phone: string): Promise<number> {
  const browser = new HttpBrowser(inst.server.url, inst.agent);
  const first = await browser.go(authorizationRequest(inst.server.url).url);
  expectPage(first, 'autocomplete="tel"', 'the phone page');
  const action = formAction(first.html, '/steps/');
  const form = { csrf: csrfOf(first.html), phone, then: 'sms' };
  const t0 = performance.now();
  const page = await browser.go(action, { form });
  const ms = performance.now() - t0;
  expectPage(page, 'autocomplete="one-time-code"', 'the code page');
  inst.queued += 1;
  return ms;
}

/** At least `total` code pages and at least `minMs` of them, by `concurrency` workers (phones split as in drive()). */
async function driveCodePages(inst: CodePageInstance, total: number, minMs: number, concurrency: number): Promise<number[]> {
  const phonesOf = Array.from({ length: concurrency }, (_, w) => BENCH_PHONES.filter((_p, i) => i % concurrency === w));
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = false;
  const started = performance.now();
  await Promise.all(phonesOf.map(async (phones) => {
    for (let k = 0; !failed; k += 1) {
      if (next >= total && performance.now() - started >= minMs) return;
      const i = next++;
      try {
        latenciesMs.push(await codePage(inst, phones[k % phones.length]!));
      } catch (err) {
        failed = true;
        const exit = alive(inst.server.child) ? '' : ` (server exited: code ${inst.server.child.exitCode}, signal ${inst.server.child.signalCode})`;
        throw new BenchError(`${inst.server.name}: code page ${i + 1} failed: ${(err as Error).message}${exit}`, { cause: err });
      }
    }
  }));
  return latenciesMs;
}

/**
 * N measured code pages per instance, in quarters run fast, 2 s, 2 s, fast, fast, 2 s, 2 s, fast
 * (this machine's speed drifts; the order cancels a steady drift and averages out bursts); one
 * instance is driven at a time. After each run, every queued SMS must reach the provider and be
 * answered before the next run starts. Then one full SMS login per instance, its code read from the
 * provider.
 */
async function measureCodePages(fast: CodePageInstance, slow: CodePageInstance): Promise<void> {
  const quarter = [0, 1, 2, 3].map((k) => Math.floor((N + k) / 4)); // sums to N
  const rounds: [CodePageInstance, number][] = [
    [fast, quarter[0]!], [slow, quarter[0]!], [slow, quarter[1]!], [fast, quarter[1]!],
    [fast, quarter[2]!], [slow, quarter[2]!], [slow, quarter[3]!], [fast, quarter[3]!],
  ];
  for (const inst of [fast, slow]) {
    process.stderr.write(`bench: ${inst.server.name}: warm-up, ≥${CODE_PAGE_WARMUP_MS / 1000}s of code pages (C=${C}) …`);
    const started = performance.now();
    await driveCodePages(inst, WARMUP, CODE_PAGE_WARMUP_MS, C);
    await inst.provider.settle(inst.queued, inst.provider.delayMs + 30_000);
    process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)}s (all ${inst.queued} SMS answered)\n`);
  }
  for (const [inst, n] of rounds) {
    if (!n) continue;
    process.stderr.write(`bench: ${inst.server.name}: ≥${PRELOAD_MS / 1000}s unmeasured, then ${n} code pages (C=${C}) …`);
    const started = performance.now();
    await driveCodePages(inst, WARMUP, PRELOAD_MS, C);
    inst.latenciesMs.push(...await driveCodePages(inst, n, 0, C));
    await inst.provider.settle(inst.queued, inst.provider.delayMs + 30_000);
    if (!alive(inst.server.child)) throw serverFailure(inst.server, 'exited during the code page run');
    process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)}s (all ${inst.queued} SMS answered)\n`);
  }
  for (const inst of [fast, slow]) {
    const target = await targetFor(inst.server, 'sms', flowgateWalk(inst.provider));
    const t0 = performance.now();
    try {
      await login(target, BENCH_PHONES[0]!);
    } catch (err) {
      throw new BenchError(`${inst.server.name}: SMS login with the code from the fake provider failed: ${(err as Error).message}`, { cause: err });
    } finally {
      target.agent.destroy();
    }
    inst.loginMs = performance.now() - t0;
    inst.queued += 1;
    await inst.provider.settle(inst.queued, inst.provider.delayMs + 30_000);
  }
}

function table(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench reads /proc/<pid>/status: Linux only');
  // Both servers start together; they are then driven one after the other, never at once.
  let outbox: OutboxReader | undefined;
  let outboxNoGuard: OutboxReader | undefined;
  const [fg, bare, fgNoGuard] = await Promise.all([
    startFlowgate('flowgate', (dir) => {
      outbox = new OutboxReader(join(dir, 'outbox.jsonl'));
      return { type: 'outbox', path: join(dir, 'outbox.jsonl') };
    }),
    startBare(),
    startFlowgate('flowgate without guard', (dir) => {
      outboxNoGuard = new OutboxReader(join(dir, 'outbox.jsonl'));
      return { type: 'outbox', path: join(dir, 'outbox.jsonl') };
    }, undefined, 'off'),
  ]);
  await Promise.all([waitReady(fg), waitReady(bare), waitReady(fgNoGuard)]);
  const fgTarget = await targetFor(fg, 'sms', flowgateWalk(outbox!));
  const bareTarget = await targetFor(bare, 'button', bareWalk);
  const fgPwTarget = { ...await targetFor(fg, 'password', flowgatePasswordWalk), amr: 'pwd' };
  const noGuardTarget = await targetFor(fgNoGuard, 'sms', flowgateWalk(outboxNoGuard!));

  // The SMS comparison first, as before (its flowgate peak RSS is sampled before any argon2 work),
  // then flowgate's password logins on their own, then the guard's cost: the same SMS logins
  // against a flowgate with the guard off, alternating phase by phase with the guarded one.
  const [f, b] = await measure([fgTarget, bareTarget]) as [Measured, Measured];
  const [pw] = await measure([fgPwTarget]) as [Measured];
  const [g, ng] = await measure([fgTarget, noGuardTarget]) as [Measured, Measured];
  // Live flows: the same SMS logins on the same server after an admin's edit through the API
  // (its copy of sign-in bound and served from the store), right after the run before it (g).
  await liveEdit(fg);
  const [edited] = await measure([fgTarget]) as [Measured];
  await stopChild(fgNoGuard.child);
  // Before/after the redirect change: the same SMS logins against the pre-PRG tree, alternating with today's.
  const beforeTree = beforePrgTree();
  let prg: { before: Measured; after: Measured } | undefined;
  if (beforeTree) {
    let outboxBefore: OutboxReader | undefined;
    const fgBefore = await startFlowgate(`flowgate before PRG (${BEFORE_PRG})`, (dir) => {
      outboxBefore = new OutboxReader(join(dir, 'outbox.jsonl'));
      return { type: 'outbox', path: join(dir, 'outbox.jsonl') };
    }, undefined, 'on', beforeTree);
    await waitReady(fgBefore);
    const beforeTarget = await targetFor(fgBefore, 'sms', flowgateWalk(outboxBefore!));
    const [after, before] = await measure([fgTarget, beforeTarget]) as [Measured, Measured];
    prg = { before, after };
    beforeTarget.agent.destroy();
    await stopChild(fgBefore.child);
  }
  for (const t of [fgTarget, bareTarget, fgPwTarget, noGuardTarget]) t.agent.destroy();

  // SQLite ×1, PostgreSQL ×1, PostgreSQL ×2, phase by phase, after everything above has stopped.
  const topologies = await startTopologies();
  let topo: Measured[] | undefined;
  if ('targets' in topologies) {
    topo = await measure(topologies.targets);
    await topologies.stop();
  }

  // The code page, fast vs 2 s provider: two more flowgate processes, started only now so the
  // figures above are taken as before (two servers, nothing else starting or running).
  const [cpFast, cpSlow] = await Promise.all([startCodePageInstance('provider fast', 0), startCodePageInstance('provider 2 s', SLOW_PROVIDER_MS)]);
  await Promise.all([waitReady(cpFast.server), waitReady(cpSlow.server)]);
  await measureCodePages(cpFast, cpSlow);
  for (const inst of [cpFast, cpSlow]) inst.agent.destroy();

  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  const rows = [['server', 'login', 'mode', 'logins', 'seconds', 'logins/s', 'p50 ms', 'p99 ms', 'req/login', 'server CPU ms', 'client CPU ms']];
  for (const m of [f, pw, b, ...(topo ?? [])]) {
    for (const [mode, r] of [['sequential', m.sequential], [`concurrent (C=${C})`, m.concurrent]] as const) {
      const sorted = [...r.latenciesMs].sort((x, y) => x - y);
      rows.push([m.target.name, m.target.login, mode, String(r.logins), fmt(r.seconds, 2), fmt(r.logins / r.seconds), fmt(percentile(sorted, 50)), fmt(percentile(sorted, 99)), fmt(r.requests / r.logins, 0),
        fmt(r.serverCpuMs / r.logins), fmt(r.clientCpuMs / r.logins)]);
    }
  }
  const rss = [['server', 'peak RSS MB (VmHWM)', 'start s'],
    ['flowgate (after sms runs)', fmt(f.peakMb), fmt(fg.startSeconds ?? NaN)],
    ['flowgate (after password runs too)', fmt(pw.peakMb), ''],
    ['bare', fmt(b.peakMb), fmt(bare.startSeconds ?? NaN)]];
  const logs = [fg, bare, cpFast.server, cpSlow.server, ...(topo ?? []).flatMap((m) => m.target.servers)].filter((s) => s.outputLines > 0);
  const { memoryCost, timeCost, parallelism } = OWASP_ARGON2ID_DEFAULTS;
  const pwCpuMsPerLogin = pw.concurrent.serverCpuMs / pw.concurrent.logins;

  const out: string[] = [];
  out.push(`flowgate login benchmark: ${N} logins per mode, concurrency ${C}, warm-up ${WARMUP}; node ${process.version}, ${availableParallelism()} CPUs (load client shares them)`);
  out.push('one login = /auth (PKCE S256, state, nonce) → hosted pages → code → /token (client_secret_basic) → ID token verified');
  out.push('login sms = phone → SMS code (read from the outbox file); button = bare oidc-provider, one form post, no sign-in');
  out.push('login password = phone with "Continue with Password" (no SMS is sent) → password page → password,');
  out.push(`  argon2id m=${memoryCost} t=${timeCost} p=${parallelism} verify`);
  out.push('latency = one whole login; req/login = HTTP round trips; CPU ms = per login, server process (all threads) vs this load client');
  out.push('');
  out.push(table(rows, [false, false, false, true, true, true, true, true, true, true, true]));
  out.push('');
  out.push(table(rss, [false, true, true]));
  for (const s of logs) {
    out.push('');
    out.push(`${s.name} wrote ${s.outputLines} log line(s) (logLevel warn); last:`);
    out.push(...s.output.slice(-5).map((l) => `  ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`));
  }
  out.push('');
  const cpP50 = (inst: CodePageInstance) => percentile([...inst.latenciesMs].sort((x, y) => x - y), 50);
  out.push(`code page = POST phone → 303 → GET of the code page (Post/Redirect/Get), ${N} timed requests per instance,`);
  out.push(`  concurrency ${C}, each after its own /auth and phone page (untimed). Two more flowgate processes, SMS connector \`webhook\``);
  out.push(`  → a fake provider in this process that answers after 0 ms (fast) or ${SLOW_PROVIDER_MS} ms; flowgate queues the SMS and its worker`);
  out.push(`  sends it (5000 ms per attempt; up to 1024 in flight here, the default is 64). Each instance warmed up (≥${CODE_PAGE_WARMUP_MS / 1000} s), then timed runs of N/4:`);
  out.push(`  fast, 2 s, 2 s, fast, fast, 2 s, 2 s, fast, each right after ≥${PRELOAD_MS / 1000} s of the same load (untimed) so the 2 s answers`);
  out.push('  land during the timed requests; every SMS answered before the next run. full SMS login = one more sign-in');
  out.push('  afterwards, its code read from the fake provider once the provider has answered');
  const cpStats = [cpFast, cpSlow].map((inst) => {
    const sorted = [...inst.latenciesMs].sort((x, y) => x - y);
    return { inst, p50: fmt(percentile(sorted, 50)), p99: fmt(percentile(sorted, 99)) };
  });
  const w50 = Math.max(...cpStats.map((c) => c.p50.length));
  const w99 = Math.max(...cpStats.map((c) => c.p99.length));
  out.push(table(cpStats.map(({ inst, p50, p99 }) => [
    'code page', inst.label, `p50 ${p50.padStart(w50)} ms`, `p99 ${p99.padStart(w99)} ms`,
    `SMS answered ${inst.provider.answered}/${inst.queued}`, `max ${inst.provider.maxPending} waiting on the provider`,
    `full SMS login ${fmt(inst.loginMs ?? NaN, 0)} ms`,
  ]), [false, false, false, false, false, false, false]));
  out.push(`code page p50 ratio (2 s provider / fast): ${(cpP50(cpSlow) / cpP50(cpFast)).toFixed(2)}`);
  out.push('');
  out.push(`password logins/s per core: ${fmt(1000 / pwCpuMsPerLogin)} (argon2id m=${memoryCost} t=${timeCost} p=${parallelism}; `
    + `from server CPU: 1000 / ${fmt(pwCpuMsPerLogin)} server CPU ms per concurrent password login, whole login, no SMS)`);
  const rate = (r: RunResult) => r.logins / r.seconds;
  out.push(`abuse guard (limits on, caps out of reach, every check and count in the store) vs limits.enabled: false, SMS logins:`);
  out.push(`  sequential ${fmt(rate(g.sequential))} vs ${fmt(rate(ng.sequential))} logins/s (${fmt(100 * (1 - rate(g.sequential) / rate(ng.sequential)))}% cost), `
    + `concurrent ${fmt(rate(g.concurrent))} vs ${fmt(rate(ng.concurrent))} logins/s (${fmt(100 * (1 - rate(g.concurrent) / rate(ng.concurrent)))}% cost); `
    + `server CPU ${fmt(g.concurrent.serverCpuMs / g.concurrent.logins)} vs ${fmt(ng.concurrent.serverCpuMs / ng.concurrent.logins)} ms/login`);
  out.push(`guard ratio (with / without, concurrent): ${(rate(g.concurrent) / rate(ng.concurrent)).toFixed(2)}`);
  out.push(`live flows (same server, before vs after an admin API edit: sign-in copied and bound, served from the store), SMS logins:`);
  out.push(`  sequential ${fmt(rate(g.sequential))} vs ${fmt(rate(edited.sequential))} logins/s, concurrent ${fmt(rate(g.concurrent))} vs ${fmt(rate(edited.concurrent))} logins/s; `
    + `server CPU ${fmt(g.concurrent.serverCpuMs / g.concurrent.logins)} vs ${fmt(edited.concurrent.serverCpuMs / edited.concurrent.logins)} ms/login`);
  out.push(`live-flow ratio (after edit / before, concurrent): ${(rate(edited.concurrent) / rate(g.concurrent)).toFixed(2)}`);
  if (prg) {
    const perLogin = (r: RunResult) => (r.requests / r.logins).toFixed(0);
    out.push(`Post/Redirect/Get (SMS login, concurrent): before (${BEFORE_PRG}) ${perLogin(prg.before.concurrent)} requests/login, ${rate(prg.before.concurrent).toFixed(1)} logins/s;`
      + ` after ${perLogin(prg.after.concurrent)} requests/login, ${rate(prg.after.concurrent).toFixed(1)} logins/s; ratio after/before ${(rate(prg.after.concurrent) / rate(prg.before.concurrent)).toFixed(2)}`);
  } else {
    out.push('Post/Redirect/Get: before/after not measured (no git history to unpack the earlier tree from)');
  }
  if (topo) {
    const [sqlite1, pg1, pg2] = topo as [Measured, Measured, Measured];
    const cpu = (m: Measured) => fmt(m.concurrent.serverCpuMs / m.concurrent.logins);
    out.push(`topologies (SMS logins, each through its own round-robin proxy process, bench/proxy-server.ts: every request to the next instance;`);
    out.push(`  ${availableParallelism()} CPUs shared by every instance, PostgreSQL and this load client):`);
    out.push(`  sequential: SQLite ×1 ${fmt(rate(sqlite1.sequential))}, PostgreSQL ×1 ${fmt(rate(pg1.sequential))}, PostgreSQL ×2 ${fmt(rate(pg2.sequential))} logins/s`);
    out.push(`  concurrent (C=${C}): SQLite ×1 ${fmt(rate(sqlite1.concurrent))}, PostgreSQL ×1 ${fmt(rate(pg1.concurrent))}, PostgreSQL ×2 ${fmt(rate(pg2.concurrent))} logins/s;`
      + ` server CPU ${cpu(sqlite1)}, ${cpu(pg1)}, ${cpu(pg2)} ms/login (all instances; PostgreSQL's own CPU not counted)`);
    out.push(`topology ratios (concurrent): PostgreSQL ×1 / SQLite ×1 ${(rate(pg1.concurrent) / rate(sqlite1.concurrent)).toFixed(2)}; `
      + `PostgreSQL ×2 / PostgreSQL ×1 ${(rate(pg2.concurrent) / rate(pg1.concurrent)).toFixed(2)}`);
  } else {
    out.push(`topologies (SQLite ×1, PostgreSQL ×1 and ×2): not measured (${'skipped' in topologies ? topologies.skipped : ''})`);
  }
  const ratio = (f.concurrent.logins / f.concurrent.seconds) / (b.concurrent.logins / b.concurrent.seconds);
  out.push(`ratio: ${ratio.toFixed(2)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// Cold start and RSS (phases cold-start, rss): printed before the rest, so `ratio:` stays last.

const COLD_START_RUNS = 5;

async function coldStartLines(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-bench-'));
  tempDirs.add(dir);
  const deps = { root: ROOT, dir, freePort, track: (child: ChildProcess) => children.add(child), stop: stopChild };
  process.stderr.write(`bench: cold start, ${COLD_START_RUNS}× compiled and ${COLD_START_RUNS}× sources via tsx …`);
  const compiled = await coldStarts(deps, 'compiled', COMPILED_FLOWGATE, COLD_START_RUNS, COMPILED_ENV);
  const tsx = await coldStarts(deps, 'tsx', ['--import', 'tsx', 'src/main.ts'], COLD_START_RUNS);
  process.stderr.write(' done\n');
  const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  return [
    `cold start (spawn → first answered discovery, no config, fresh SQLite file each; target < 1 s): median ${median(compiled).toFixed(2)} s `
      + `compiled (${Object.entries(COMPILED_ENV).map(([k, v]) => `${k}=${v} `).join('')}node ${COMPILED_FLOWGATE.join(' ')}: ${list(compiled)}); sources via tsx ${median(tsx).toFixed(2)} s (${list(tsx)})`,
  ];
}

async function rssLines(): Promise<string[]> {
  let outbox: OutboxReader | undefined;
  const fg = await startFlowgate('flowgate (RSS)', (dir) => {
    outbox = new OutboxReader(join(dir, 'outbox.jsonl'));
    return { type: 'outbox', path: join(dir, 'outbox.jsonl') };
  });
  await waitReady(fg);
  const idleMb = statusMb(fg.child, 'VmRSS');
  const target = await targetFor(fg, 'sms', flowgateWalk(outbox!));
  process.stderr.write(`bench: ${fg.name}: ${RSS_LOGINS} SMS logins (C=${C}) …`);
  const started = performance.now();
  try {
    await drive(target, RSS_LOGINS, C);
  } finally {
    target.agent.destroy();
  }
  if (!alive(fg.child)) throw serverFailure(fg, 'exited during the RSS run');
  const afterMb = statusMb(fg.child, 'VmRSS');
  const peakMb = statusMb(fg.child, 'VmHWM');
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  await stopChild(fg.child);
  return [`RSS after ${RSS_LOGINS} SMS logins (compiled, C=${C}; target < 120 MB): ${afterMb.toFixed(1)} MB VmRSS `
    + `(idle after start ${idleMb.toFixed(1)} MB, peak ${peakMb.toFixed(1)} MB VmHWM)`];
}

try {
  if (!build({ ifStale: true })) throw new BenchError('dist/ could not be built (see above)');
  const lines = [
    ...(PHASES.has('cold-start') ? await coldStartLines() : []),
    ...(PHASES.has('rss') ? await rssLines() : []),
  ];
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n${PHASES.has('logins') ? '\n' : ''}`);
  if (PHASES.has('logins')) await main();
} catch (err) {
  await sleep(200); // a Ctrl-C stops the servers too; let its SIGINT arrive before blaming them
  if (!interrupted) process.stderr.write(`\nbench failed: ${err instanceof BenchError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
