// The limits of a SIGTERM's drain, on real processes (SQLite): a request that never finishes is cut
// when the grace period ends and the process still exits 0; a request arriving on a kept-alive
// connection during the drain is served, with `connection: close` (a probe there reads
// `shutting_down`); a second signal exits at once; FLOWGATE_SHUTDOWN_GRACE_MS is checked.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runtimeFromEnv } from '../../src/runtime.ts';
import { startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-shutdown-'));
const children: Child[] = [];
const sockets: Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  for (const c of children) await c.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, graceMs: number): Promise<Child> {
  const child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`, FLOWGATE_SHUTDOWN_GRACE_MS: String(graceMs) });
  children.push(child);
  return child;
}

/** A raw connection: `sent(text)` writes, `answer` resolves with everything read until the server closes it. */
async function rawConnection(url: string): Promise<{ send(text: string): void; answer: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString('utf8'); });
  const answer = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(text));
    socket.on('error', () => {});
  });
  return { send: (t) => socket.write(t), answer };
}

/** An upload that never finishes: the headers and part of the body of a token request. */
const endlessUpload = (url: string) => `POST /token HTTP/1.1\r\nHost: ${new URL(url).host}\r\n`
  + 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type=';

async function outputIncludes(child: Child, text: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !child.output().includes(text);) {
    if (Date.now() > deadline) assert.fail(`no '${text}' in the output:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pino line with this message, parsed. */
function logLine(child: Child, msg: string): Record<string, unknown> {
  const line = child.output().split('\n').find((l) => l.includes(`"msg":"${msg}`));
  assert.ok(line, `no log line '${msg}' in:\n${child.output()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

test('a request that never finishes is cut at the end of the grace period; the process exits 0', { timeout: 60_000 }, async () => {
  const child = await start('cut', 2_000);
  const upload = await rawConnection(child.url);
  upload.send(endlessUpload(child.url));
  // A kept-alive connection with a request begun (its headers not finished) when the drain starts.
  const probe = await rawConnection(child.url);
  probe.send(`GET /readyz HTTP/1.1\r\nHost: ${new URL(child.url).host}\r\n`);
  // The server has both requests once a request after them on a third connection is answered.
  assert.equal((await fetch(`${child.url}/healthz`)).status, 200);

  const exited = once(child.proc, 'exit');
  child.proc.kill('SIGTERM');
  await outputIncludes(child, 'flowgate stopping');
  probe.send('\r\n');
  const answered = await probe.answer;
  assert.match(answered, /^HTTP\/1\.1 503 /, 'the probe on the kept-alive connection is answered');
  assert.match(answered, /\r\nconnection: close\r\n/i, '… and that connection closes after it');
  assert.match(answered, /\{"status":"shutting_down"\}$/);
  await assert.rejects(fetch(`${child.url}/healthz`), 'new connections are refused during the drain');

  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(await upload.answer, '', 'the endless upload got no answer: it was cut');
  const stopping = logLine(child, 'flowgate stopping');
  assert.equal(stopping.graceMs, 2_000);
  const stopped = logLine(child, 'flowgate stopped');
  assert.equal(stopped.cut, 1, 'one request cut');
  assert.equal(stopped.finished, 1, 'the probe finished');
});

test('a second signal during the drain exits at once', { timeout: 60_000 }, async () => {
  const child = await start('twice', 120_000);
  const upload = await rawConnection(child.url);
  upload.send(endlessUpload(child.url));
  assert.equal((await fetch(`${child.url}/healthz`)).status, 200);
  const exited = once(child.proc, 'exit');
  child.proc.kill('SIGTERM');
  await outputIncludes(child, 'flowgate stopping');
  child.proc.kill('SIGINT');
  const [code] = await exited;
  assert.equal(code, 1, 'not a clean stop: the drain was given up');
  assert.equal(logLine(child, 'flowgate: a second signal, exiting now').signal, 'SIGINT');
});

test('FLOWGATE_SHUTDOWN_GRACE_MS: 10 s by default; a value that is not a whole number of milliseconds in range is refused in one line', () => {
  assert.equal(runtimeFromEnv({}).shutdownGraceMs, 10_000);
  assert.equal(runtimeFromEnv({ FLOWGATE_SHUTDOWN_GRACE_MS: '25000' }).shutdownGraceMs, 25_000);
  for (const value of ['soon', '500', '10s', '600001']) {
    assert.throws(() => runtimeFromEnv({ FLOWGATE_SHUTDOWN_GRACE_MS: value }), (err: Error) => {
      assert.equal(err.name, 'ConfigError', 'main.ts prints a ConfigError as its message alone and exits 1');
      assert.equal(err.message, `FLOWGATE_SHUTDOWN_GRACE_MS: '${value}' is not a whole number from 1000 to 600000`);
      return true;
    });
  }
});
