// Two flowgate instances on one store (a SQLite file, a PostgreSQL database): the requests of one
// interaction are serialized across both (the store's `interaction:<uid>` lease), so parallel
// submissions through either instance lose no write and sign in once; a request waits while another
// instance holds the interaction, and gets a retryable 503 when it is held too long.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { toCodePage } from '../helpers/login.ts';
import { withLatency } from '../helpers/latency.ts';
import { storeKinds, type StorePlace } from '../helpers/stores.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

for (const kind of storeKinds) {
  describe(`[${kind.name}]`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowgate-two-'));
    let place: StorePlace;
    before(async () => {
      place = await kind.open();
      // Each server closes its own store. SQLite answers at once: each call a little later, as across
      // a network, so the instances' requests interleave.
      const open = async () => (kind.name === 'sqlite' ? withLatency(await openStore(place.url)) : openStore(place.url));
      a = await startServer({ dir, store: await open() });
      // Behind one load balancer both instances answer for the same issuer.
      b = await startServer({ dir, issuer: a.url, store: await open() });
    });
    after(async () => {
      await b?.close();
      await a?.close();
      await place?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });
    tests();
  });
}

let a: TestServer;
let b: TestServer;

const uidOfAction = (action: string) => action.split('/')[2]!;
/** The same request against instance A or B (the path is the same; the cookies go along). */
const on = (server: TestServer, action: string) => `${server.url}${new URL(action, a.url).pathname}`;

function tests(): void {
  test('parallel code submissions through both instances: every wrong one counts, exactly one right one signs in, none conflicts', { timeout: 60_000 }, async () => {
    const { browser, page, code } = await toCodePage(a, REGISTERED);
    const right = await code();
    const wrong = right === '000000' ? '111111' : '000000';
    const action = formAction(page.html, '/steps/');
    const csrf = csrfOf(page.html);
    const uid = uidOfAction(action);

    const wrongs = await Promise.all(Array.from({ length: 4 }, (_, i) =>
      browser.request(on(i % 2 ? b : a, action), { form: { csrf, code: wrong } })));
    assert.deepEqual(wrongs.map((r) => r.status), [303, 303, 303, 303], 'each wrong code answered (Post/Redirect/Get)');
    assert.equal((await a.store.otp.counters(uid)).failures, 4, 'all four wrong codes counted: none lost');
    const shown = await browser.request(on(b, `/interaction/${uid}`));
    assert.match(shown.html, /That code is not right\. 1 try left/, 'the attempt count went down to one, never back');

    const rights = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      browser.request(on(i % 2 ? a : b, action), { form: { csrf, code: right } })));
    const statuses = rights.map((r) => r.status);
    assert.equal(rights.filter((r) => r.status === 303 && r.location?.includes('/auth/')).length, 1, `exactly one signs in: ${statuses.join(',')}`);
    assert.ok(rights.every((r) => r.status < 500 && r.status !== 409), `no busy or conflicting answer: ${statuses.join(',')}`);
    assert.equal((await a.store.otp.counters(uid)).failures, 4, 'the right codes counted no failure');
  });

  test('a request waits while another instance holds the interaction, then runs (the status poll does not wait)', { timeout: 30_000 }, async () => {
    const { browser, page } = await toCodePage(a, REGISTERED);
    const uid = uidOfAction(formAction(page.html, '/steps/'));
    assert.equal(await a.store.locks.acquire(`interaction:${uid}`, 'another-instance', 60_000, Date.now()), true,
      'the code page\'s request gave its lease back before it answered');
    const waiting = browser.request(on(b, `/interaction/${uid}`));
    const poll = await browser.request(on(b, `/interaction/${uid}/sms-status`));
    assert.equal(poll.status, 200, 'the status poll only reads: it does not wait');
    await new Promise((r) => setTimeout(r, 300));
    await a.store.locks.release(`interaction:${uid}`, 'another-instance');
    const shown = await waiting;
    assert.equal(shown.status, 200);
    assert.match(shown.html, /autocomplete="one-time-code"/);
  });

  test('held past the wait: a retryable 503 that says what to do, in the page language', { timeout: 30_000 }, async () => {
    const { browser, page } = await toCodePage(a, REGISTERED);
    const uid = uidOfAction(formAction(page.html, '/steps/'));
    assert.equal(await a.store.locks.acquire(`interaction:${uid}`, 'another-instance', 60_000, Date.now()), true,
      'the code page\'s request gave its lease back before it answered');
    const german = new Browser(a.url, { 'accept-language': 'de' });
    german.cookies.push(...browser.cookies); // the same browser, asking for German
    try {
      const [en, de] = await Promise.all([
        browser.request(on(b, `/interaction/${uid}`)),
        german.request(on(a, `/interaction/${uid}`)),
      ]);
      assert.equal(en.status, 503);
      assert.equal(en.headers.get('retry-after'), '1');
      assert.match(en.html, /still busy with your previous request/);
      assert.equal(de.status, 503);
      assert.match(de.html, /bearbeitet noch Ihre vorige Anfrage/);
    } finally {
      await a.store.locks.release(`interaction:${uid}`, 'another-instance');
    }
    assert.equal((await browser.request(on(a, `/interaction/${uid}`))).status, 200, 'free again: the page answers');
  });

  test('a stranger who knows the uid cannot hold the interaction: a stalled request without its cookie locks nothing', { timeout: 30_000 }, async () => {
    const { browser, page } = await toCodePage(a, REGISTERED);
    const action = formAction(page.html, '/steps/');
    const uid = uidOfAction(action);
    // A POST without the browser's cookie that announces a body and never sends it.
    const stalled = connect(Number(new URL(b.url).port), '127.0.0.1');
    await once(stalled, 'connect');
    stalled.write(`POST ${new URL(action, a.url).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nco`);
    const stranger = await new Browser(a.url).request(on(a, `/interaction/${uid}`));
    assert.equal(stranger.status, 400, 'no cookie, no interaction');
    try {
      await new Promise((r) => setTimeout(r, 200));
      const shown = await browser.request(on(a, `/interaction/${uid}`));
      assert.equal(shown.status, 200, 'the person\'s own page answers at once');
      assert.equal(await a.store.locks.acquire(`interaction:${uid}`, 'probe', 1_000, Date.now()), true, 'nobody holds it');
      await a.store.locks.release(`interaction:${uid}`, 'probe');
    } finally {
      stalled.destroy();
    }
  });
}
