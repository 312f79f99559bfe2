// Two instances on one store (each store call a little late, as across a network). Started at the same
// moment on a new store, both start and every generated secret is the first writer's for both: one
// signing key set, one cookie key (a browser moves between them), one SMS seal key (either sends what
// the other queued). A configuration change saved through one is in force on the other's next request.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { withLatency } from '../helpers/latency.ts';
import { authUrl } from '../helpers/login.ts';
import { outboxLines } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-start-'));
const servers: TestServer[] = [];
let a: TestServer;
let b: TestServer;
after(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('two instances starting together on a new store share every generated secret', { timeout: 60_000 }, async () => {
  [a, b] = await Promise.all([
    startServer({ dir, wrapStore: (s) => withLatency(s, 3) }),
    startServer({ dir, wrapStore: (s) => withLatency(s, 1) }),
  ]);
  servers.push(a, b);
  const jwks = async (s: TestServer) => (await (await fetch(`${s.url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  assert.deepEqual((await jwks(a)).keys.map((k) => k.kid), (await jwks(b)).keys.map((k) => k.kid), 'one signing key set');

  // The interaction starts on A; its phone page is submitted to B (cookies signed with the one cookie key).
  const browser = new Browser(a.url);
  const phonePage = await browser.go(authUrl(a));
  const onB = `${b.url}${new URL(formAction(phonePage.html, '/steps/'), a.url).pathname}`;
  const posted = await browser.request(onB, { form: { csrf: csrfOf(phonePage.html), phone: REGISTERED, then: 'sms' } });
  assert.equal(posted.status, 303);
  const uid = new URL(onB).pathname.split('/')[2]!;
  const codePage = await browser.go(`/interaction/${uid}`);
  assert.equal(codePage.status, 200);
  assert.match(codePage.html, /autocomplete="one-time-code"/, 'B accepted the interaction A started');
  // Either worker may send it: both open the sealed body.
  await Promise.all([a.flowgate.drainSms(), b.flowgate.drainSms()]);
  for (let i = 0; outboxLines(a.outbox).length === 0; i += 1) {
    if (i > 250) assert.fail('nothing was sent');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.match(outboxLines(a.outbox).at(-1)!.body, /sign-in code/);
  assert.equal((await a.store.smsOutbox.latestFor(uid))?.status, 'sent');
});

test('a change saved on one instance is in force on the other\'s next request', { timeout: 30_000 }, async () => {
  const browser = new Browser(b.url);
  const before = await browser.go(authUrl(b));
  assert.match(before.html, /Create an account/);
  const head = (await a.store.config.head('bindings', 'default'))!;
  const bindings = { ...((await a.store.config.active('bindings', 'default'))!.body as Record<string, string>) };
  delete bindings.register;
  const wrote = await a.store.config.save('bindings', 'default', { body: bindings, source: 'admin', actor: 'user:test' }, head.rev,
    { actor: 'user:test', action: 'bindings.update', target: 'bindings:default', diff: [] }, Date.now());
  assert.ok(wrote.ok);
  const after = await browser.go(new URL(before.url).pathname);
  assert.equal(after.status, 200);
  assert.doesNotMatch(after.html, /Create an account/, 'B reads the generation on the next request and follows the change');
});
