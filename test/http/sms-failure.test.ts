// A provider failure shows a clear message on the code page; the person can retry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { csrfOf, formAction } from '../helpers/browser.ts';
import { openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { SmsError, type SmsConnector, type SmsMessage } from '../../src/sms/types.ts';

let failing: SmsError | undefined = new SmsError('unavailable', 'provider down');
const sent: SmsMessage[] = [];
const flaky: SmsConnector = {
  id: 'flaky',
  async send(msg) {
    if (failing) throw failing;
    sent.push(msg);
    return {};
  },
};
let server: TestServer;
before(async () => { server = await startServer({ connectors: [flaky] }); });
after(async () => { await server.close(); });

test('an unavailable provider gives a clear message and a retry that works', async () => {
  const { browser, page } = await openPhonePage(server);
  const codePage = await submitPhone(browser, page, REGISTERED);
  assert.equal(codePage.status, 503, 'the failed send leaves the person on the code page');
  assert.match(codePage.html, /could not send the text message just now/);
  assert.match(codePage.html, /name="resend"/);
  const retry = await browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), resend: '1' } });
  assert.equal(retry.status, 503);
  assert.match(retry.html, /could not send the text message just now/);
  assert.doesNotMatch(retry.html, /provider down/, 'the provider detail stays in the log');
  failing = undefined;
  const ok = await browser.go(formAction(retry.html, '/steps/'), { form: { csrf: csrfOf(retry.html), resend: '1' } });
  assert.equal(ok.status, 200);
  const code = /#(\d{6})$/.exec(sent.at(-1)!.body)![1]!;
  const done = await submitCode(browser, ok, code);
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!));
});

test('a number the provider refuses gets a 400 with a message to use another number', async () => {
  failing = new SmsError('invalid_recipient', 'bad number');
  const { browser, page } = await openPhonePage(server);
  const codePage = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), phone: REGISTERED } });
  assert.equal(codePage.status, 400);
  assert.match(codePage.html, /could not send a text message to this number/);
  failing = undefined;
});
