// The shipped sign-in flow sends no code before the person has chosen the SMS way: the phone page
// asks how they want to go on (the same page for every number), a password choice sends nothing,
// and a phone form posted without a choice gets the choice page, not an SMS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshPhoneSubmit, normalized, post } from '../helpers/attack.ts';
import { Browser } from '../helpers/browser.ts';
import { authUrl } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, UNREGISTERED, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

test('the phone page offers "code by SMS" and "password" before anything is sent', { timeout: 30_000 }, async () => {
  const page = await new Browser(server.url).go(authUrl(server));
  assert.match(page.html, /name="then" value="sms"[^>]*>Continue with Code by SMS/);
  assert.match(page.html, /name="then" value="password"[^>]*>Continue with Password/);
});

test('choosing the password sends no SMS, for registered and unregistered numbers alike', { timeout: 30_000 }, async () => {
  const before = (await outboxLinesOf(server)).length;
  const answers = [];
  for (const phone of [REGISTERED, UNREGISTERED]) {
    const { page, uid, csrf } = await freshPhoneSubmit(server, phone, { then: 'password' });
    assert.equal(page.status, 200);
    assert.match(page.html, /autocomplete="current-password"/);
    answers.push(normalized(page, { uid, csrf, phone }));
  }
  assert.deepEqual(answers[1], answers[0]);
  assert.equal((await outboxLinesOf(server)).length, before, 'no SMS was sent');
});

test('a phone form without a choice gets the choice page; choosing SMS then sends the code', { timeout: 30_000 }, async () => {
  const browser = new Browser(server.url);
  const phonePage = await browser.go(authUrl(server));
  const before = (await outboxLinesOf(server)).length;
  const choose = await post(browser, phonePage, '/steps/', { phone: REGISTERED });
  assert.equal(choose.status, 200);
  assert.match(choose.html, /How do you want to sign in\?/);
  assert.equal((await outboxLinesOf(server)).length, before, 'nothing sent before the choice');
  const code = await post(browser, choose, '/choose', { step: 'sms' });
  assert.match(code.html, /autocomplete="one-time-code"/);
  assert.equal((await outboxLinesOf(server)).length, before + 1, 'one code after choosing SMS');
});
