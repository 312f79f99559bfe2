// Delivery off the request path: failover from a failing or hanging Twilio (the real SDK against a
// local fake) to the outbox, a slow provider that does not slow the page, failures shown to the
// person, and numbers that never reach a connector.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { csrfOf, formAction } from '../helpers/browser.ts';
import { openPhonePage, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { createLogger } from '../../src/log.ts';
import { SmsError, type SmsConnector } from '../../src/sms/types.ts';

type Mode = 'ok' | '503' | 'hang' | 'slow';
let mode: Mode = 'ok';
let release: (() => void) | undefined;
const twilioRequests: string[] = [];
const hanging = new Set<ServerResponse>();

function fakeTwilio(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    twilioRequests.push(body);
    if (mode === '503') {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20503, message: 'Service unavailable', status: 503 }));
    } else if (mode === 'hang') {
      hanging.add(res);
    } else {
      const answer = () => res.writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sid: `SM${'a'.repeat(32)}`, status: 'queued', to: new URLSearchParams(body).get('To') }));
      if (mode === 'slow') release = answer; else answer();
    }
  });
}

let twilio: Server;
let server: TestServer;
let logged = '';
const outbox = `${process.env.TMPDIR ?? '/tmp'}/flowgate-delivery-${process.pid}.jsonl`;
before(async () => {
  twilio = createServer(fakeTwilio).listen(0, '127.0.0.1');
  await once(twilio, 'listening');
  const apiBaseUrl = `http://127.0.0.1:${(twilio.address() as AddressInfo).port}`;
  server = await startServer({
    log: createLogger('info', new Writable({ write(chunk, _e, done) { logged += String(chunk); done(); } })),
    config: {
      sms: {
        connectors: [
          { type: 'twilio', accountSid: `AC${'1'.repeat(32)}`, authToken: 'twilio-secret-token', from: '+15005550006', apiBaseUrl },
          { type: 'outbox', path: outbox },
        ],
        delivery: { timeoutMs: 2000, retries: 1, backoffMs: 10, breakerThreshold: 50, breakerCooldownMs: 1000 },
      },
    },
  });
  (server as { outbox: string }).outbox = outbox;
});
after(async () => {
  release?.();
  for (const res of hanging) res.destroy();
  twilio.closeAllConnections();
  twilio.close();
  await server.close();
  rmSync(outbox, { force: true });
});

test('the primary provider answers: it delivers, the outbox gets nothing', { timeout: 60_000 }, async () => {
  mode = 'ok';
  const before = twilioRequests.length;
  const { browser, page } = await openPhonePage(server);
  const codePage = await submitPhone(browser, page, REGISTERED);
  assert.equal(codePage.status, 200);
  await server.flowgate.drainSms();
  assert.equal(twilioRequests.length, before + 1);
  assert.match(new URLSearchParams(twilioRequests.at(-1)!).get('Body')!, /sign-in code/);
});

for (const failing of ['503', 'hang'] as const) {
  test(`the primary ${failing === '503' ? 'answering 503' : 'hanging past its timeout'}: the secondary delivers and the person sees no error`, { timeout: 60_000 }, async () => {
    mode = failing;
    logged = '';
    const { browser, page } = await openPhonePage(server);
    const codePage = await submitPhone(browser, page, REGISTERED);
    assert.equal(codePage.status, 200);
    assert.doesNotMatch(codePage.html, /could not send/);
    const code = await lastCode(server, REGISTERED);
    const done = await submitCode(browser, codePage, code);
    assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!));
    assert.match(logged, /"msg":"sms failover"/);
    assert.match(logged, /"from":"twilio","to":"outbox"/);
    assert.ok(!logged.includes('twilio-secret-token'), 'the auth token never reaches the log');
    assert.ok(!logged.includes(code), 'the code never reaches the log');
  });
}

test('a provider that has not answered yet does not hold up the code page', { timeout: 60_000 }, async () => {
  mode = 'slow';
  const { browser, page } = await openPhonePage(server);
  const codePage = await submitPhone(browser, page, REGISTERED);
  assert.equal(codePage.status, 200, 'the page came back');
  const uid = formAction(codePage.html, '/steps/').split('/')[2]!;
  while (!release) await new Promise((r) => setTimeout(r, 5));
  assert.equal((await server.store.smsOutbox.latestFor(uid))?.status, 'sending', 'while the provider request was still open');
  release();
  release = undefined;
  await server.flowgate.drainSms();
  mode = 'ok';
  await server.flowgate.drainSms();
});

test('rule 8: numbers that may not receive SMS (premium, toll-free, fixed-line, satellite, other country) never reach a connector', { timeout: 60_000 }, async () => {
  mode = 'ok';
  await server.flowgate.drainSms();
  const before = twilioRequests.length;
  const lines = (await outboxLinesOf(server)).length;
  for (const [phone, message] of [
    ['+19005550100', /only send codes to mobile numbers/], // premium rate
    ['+18005550100', /only send codes to mobile numbers/], // toll free
    ['+493012345678', /only send codes to mobile numbers/], // fixed line
    ['+491701234567', /cannot send text messages to numbers in that country/], // mobile, but DE is not allowed
    ['+8816123456789', /only send codes to mobile numbers/], // satellite
  ] as const) {
    const { browser, page } = await openPhonePage(server);
    const res = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), phone, then: 'sms' } });
    assert.equal(res.status, 400, phone);
    assert.match(res.html, message, phone);
  }
  await server.flowgate.drainSms();
  assert.equal(twilioRequests.length, before);
  assert.equal((await outboxLinesOf(server)).length, lines);
});

test('when every connector fails the code page says so and the person can send again at once', { timeout: 60_000 }, async () => {
  const failing: SmsConnector = { id: 'down', async send() { throw new SmsError('unavailable', 'provider down'); } };
  let up = false;
  const recovering: SmsConnector = { id: 'recovering', async send() { if (!up) throw new SmsError('unavailable', 'still down'); return {}; } };
  const s = await startServer({ connectors: [failing, recovering], config: { sms: { connectors: [{ type: 'console' }], delivery: { timeoutMs: 300, retries: 0, backoffMs: 10 } } } });
  try {
    const { browser, page } = await openPhonePage(s);
    const codePage = await submitPhone(browser, page, REGISTERED);
    assert.equal(codePage.status, 200);
    await s.flowgate.drainSms();
    const reload = await browser.request(formAction(codePage.html, '/steps/').replace(/\/steps\/.*$/, ''));
    assert.match(reload.html, /could not send the text message just now/);
    assert.doesNotMatch(reload.html, /provider down|still down/, 'provider details stay in the log');
    up = true;
    const again = await browser.go(formAction(reload.html, '/steps/'), { form: { csrf: csrfOf(reload.html), resend: '1' } });
    assert.equal(again.status, 200, 'no cooldown after a failed delivery');
    await s.flowgate.drainSms();
    assert.equal((await s.store.smsOutbox.latestFor(formAction(reload.html, '/steps/').split('/')[2]!))?.status, 'sent');
  } finally {
    await s.close();
  }
});
