// SECURITY.md rule 7 and 16a, hostile inputs "resend flood to one number and to sequential
// numbers": sending limits hold across fresh interactions and restarts, per number, IP, prefix
// and in total, with one generic answer. The clock is the server's injected one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { freshPhoneSubmit } from '../helpers/attack.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { runCommand } from '../helpers/process.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const HELD = /We cannot send a code to this number right now\. Try again in \d+ (seconds|minutes|hours)/;
const LIMIT_NAMES = /cooldown|number\.hour|number\.day|ip\.hour|ip\.day|prefix|global/;
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

let clock = Date.parse('2026-12-01T09:00:00Z');
const now = () => clock;

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-pump-'));
  dirs.push(dir);
  return dir;
}

/** A server on a kept directory with the default limits (the helper's loose ones replaced). */
async function start(dir: string, config: Record<string, unknown> = {}, log?: ReturnType<typeof createLogger>): Promise<TestServer> {
  return startServer({ dir, now, config: { limits: {}, ...config }, ...(log ? { log } : {}) });
}

/** A fresh server with the default limits (and `config`), closed after `fn`. */
async function withServer(fn: (server: TestServer) => Promise<void>, config: Record<string, unknown> = {}): Promise<void> {
  const server = await start(newDir(), config);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

test('hostile: resend flood to one number — 100 codes asked over fresh interactions and restarts: the default caps hold', { timeout: 120_000 }, async () => {
  const dir = newDir();
  let server = await start(dir);
  let held = 0;
  try {
    for (let i = 0; i < 100; i += 1) {
      if (i > 0 && i % 25 === 0) { await server.close(); server = await start(dir); } // a restart changes nothing
      const { page } = await freshPhoneSubmit(server, REGISTERED);
      if (page.status === 429) {
        held += 1;
        assert.match(page.html, HELD, 'one generic sentence with the time to wait');
        assert.doesNotMatch(page.html, LIMIT_NAMES, 'the limit that fired is not named');
      } else {
        assert.equal(page.status, 200);
        assert.match(page.html, /We sent a text message/);
      }
      clock += 61_000; // just past the cooldown every time
    }
    // 5 an hour (sliding), 10 a day: 5 at once, 5 more as the first hour slides by, then none.
    const sent = (await outboxLinesOf(server)).filter((l) => l.to === REGISTERED).length;
    assert.equal(sent, 10);
    assert.equal(held, 90);
  } finally {
    await server.close();
  }
});

test('rule 16a: the cooldown is the number\'s, in the store: a new interaction does not skip it', { timeout: 30_000 }, async () => {
  await withServer(async (server) => {
    const phone = '+12025550142';
    const first = await freshPhoneSubmit(server, phone);
    assert.equal(first.page.status, 200);
    const again = await freshPhoneSubmit(server, phone);
    assert.equal(again.page.status, 429);
    assert.match(again.page.html, HELD);
    assert.match(again.page.html, /data-resend-at=/, 'the page counts down to when a code may be sent');
    assert.equal((await outboxLinesOf(server)).filter((l) => l.to === phone).length, 1);
  });
});

test('hostile: resend flood to sequential numbers — 1,000 sequential numbers from one IP: no more SMS than the per-IP cap', { timeout: 240_000 }, async () => {
  await withServer(async (server) => {
    for (let i = 0; i < 1000; i += 1) {
      // A spoofed X-Forwarded-For is ignored without trustProxy: the socket's address counts.
      const { page } = await freshPhoneSubmit(server, `+1202555${String(1000 + i).padStart(4, '0')}`, { headers: { 'x-forwarded-for': `198.51.100.${i % 250}` } });
      assert.ok(page.status === 200 || page.status === 429, `answered ${page.status}`);
      if (page.status === 429) assert.match(page.html, HELD);
    }
    assert.equal((await outboxLinesOf(server)).length, 20, '20 an hour per IP (and 20 numbers per prefix in 10 minutes)');
  });
});

test('behind a trusted proxy, rotating client IPs still meet the per-prefix cap', { timeout: 120_000 }, async () => {
  await withServer(async (server) => {
    for (let i = 0; i < 200; i += 1) {
      const { page } = await freshPhoneSubmit(server, `+1202555${String(3000 + i).padStart(4, '0')}`, { headers: { 'x-forwarded-for': `203.0.113.${i % 250}` } });
      assert.ok(page.status === 200 || page.status === 429);
    }
    assert.equal((await outboxLinesOf(server)).length, 20, '20 distinct numbers per prefix in 10 minutes');
    clock += 10 * 60_000 + 1000;
    const later = await freshPhoneSubmit(server, '+12025554999', { headers: { 'x-forwarded-for': '203.0.113.251' } });
    assert.equal(later.page.status, 200, 'the prefix frees once its window has passed');
  }, { trustProxy: true });
});

test('rule 7: the global budget stops sending, logs an alert and tells people to try later', { timeout: 60_000 }, async () => {
  const dir = newDir();
  let logged = '';
  const log = createLogger('info', new Writable({ write(c, _e, done) { logged += String(c); done(); } }));
  const server = await start(dir, { trustProxy: true, limits: { sms: { global: { hour: 3, day: 100 } } } }, log);
  try {
    const numbers = ['+12025550111', '+13125550122', '+14155550133', '+16175550144'];
    const pages = [];
    for (const [i, n] of numbers.entries()) pages.push((await freshPhoneSubmit(server, n, { headers: { 'x-forwarded-for': `192.0.2.${i}` } })).page);
    assert.deepEqual(pages.map((p) => p.status), [200, 200, 200, 429]);
    assert.match(pages[3]!.html, HELD);
    assert.equal((await outboxLinesOf(server)).length, 3);
    assert.match(logged, /ALERT: SMS budget reached/);
    assert.match(logged, /"rule":"global\.hour"/, 'the limit that fired is in the log');
    assert.ok(!logged.includes(numbers[3]!), 'the number is not logged in full');
  } finally {
    await server.close();
  }
});

test('flowgate users unlock clears a number\'s code caps (e.g. after trying the demo many times)', { timeout: 60_000 }, async () => {
  const dir = newDir();
  const server = await start(dir);
  try {
    const phone = '+12025550143';
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await freshPhoneSubmit(server, phone)).page.status, 200);
      clock += 61_000;
    }
    assert.equal((await freshPhoneSubmit(server, phone)).page.status, 429, 'five an hour');
    const unlocked = await runCommand(['--import', 'tsx', 'src/cli.ts', 'users', 'unlock', '--phone', phone],
      { DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}`, FLOWGATE_CONFIG: '' });
    assert.equal(unlocked.code, 0, unlocked.out);
    assert.match(unlocked.out, /code counters cleared/);
    assert.equal((await freshPhoneSubmit(server, phone)).page.status, 200, 'a code again, at once');
  } finally {
    await server.close();
  }
});

test('the page held back by the cooldown shows one wait: sentence, countdown and button agree', { timeout: 30_000 }, async () => {
  await withServer(async (server) => {
    const phone = '+12025550144';
    await freshPhoneSubmit(server, phone);
    clock += 21_000;
    const { page } = await freshPhoneSubmit(server, phone);
    // 60 s from the first code, counted in whole seconds (a bucket of the window), so 40 s more.
    assert.match(page.html, /Try again in 40 seconds/);
    assert.match(page.html, /You can ask for a new code in 40 seconds/);
    assert.match(page.html, new RegExp(`data-resend-at="${new Date(clock + 40_000).toISOString()}"`));
  });
});
