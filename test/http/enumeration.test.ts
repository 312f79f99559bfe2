// Registered and unregistered numbers get identical answers on the phone step; an unregistered
// number gets a code too and, once verified, a "no account yet" page.
import { blankPhone } from '../helpers/phone.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { csrfOf, formAction } from '../helpers/browser.ts';
import { openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, UNREGISTERED, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

async function phoneStep(phone: string) {
  const { browser, page } = await openPhonePage(server);
  const uid = new URL(formAction(page.html, '/steps/'), server.url).pathname.split('/')[2]!;
  const res = await browser.request(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), phone, then: 'sms' } });
  const page2 = await browser.request(res.location!); // Post/Redirect/Get: the code page is the redirect's GET
  const reload = await browser.request(`/interaction/${uid}`);
  const normalize = (s: string) => blankPhone(s, phone).replaceAll(uid, 'UID').replaceAll(csrfOf(page.html), 'CSRF')
    .replace(/data-resend-at="[^"]+"/, '');
  const headers = (h: Headers) => [...h.keys()].filter((k) => !['date', 'etag', 'content-length'].includes(k)).map((k) => `${k}: ${k === 'set-cookie' ? h.getSetCookie().join() : h.get(k)}`);
  return {
    postStatus: res.status, postHeaders: headers(res.headers).map(normalize), location: normalize(res.location ?? ''),
    status: page2.status, headers: headers(page2.headers), body: normalize(page2.html),
    reloadStatus: reload.status, reloadHeaders: headers(reload.headers), reloadBody: normalize(reload.html),
  };
}

test('hostile: registered vs unregistered numbers diffed — identical responses (headers included) on the phone step', { timeout: 60_000 }, async () => {
  const registered = await phoneStep(REGISTERED);
  const unregistered = await phoneStep(UNREGISTERED);
  assert.equal(registered.status, 200);
  assert.match(registered.body, /autocomplete="one-time-code"/);
  assert.deepEqual(unregistered, registered);
  assert.ok(await lastCode(server, UNREGISTERED), 'an unregistered number gets a code too');
});

test('a verified number without an account goes on to registration, without a second code', { timeout: 60_000 }, async () => {
  const { browser, page } = await openPhonePage(server);
  const codePage = await submitPhone(browser, page, UNREGISTERED);
  const sent = (await outboxLinesOf(server)).length;
  const done = await submitCode(browser, codePage, await lastCode(server, UNREGISTERED));
  assert.equal(done.status, 200);
  assert.match(done.html, /There is no account for this number yet/);
  assert.match(done.html, /autocomplete="name"/);
  assert.equal((await outboxLinesOf(server)).length, sent, 'no second code is sent');
});
