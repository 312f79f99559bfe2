// No secret in logs, errors or pages: every connector type is configured with a recognisable
// secret and made to fail against a local server, a login fails over through all of them, and
// the log, the pages and the recorded errors are searched.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { createLogger } from '../../src/log.ts';

const S = (name: string) => `SeCrEt${name}9f3a7c`;
const secrets = ['twilio', 'mbkey', 'mbsign', 'tlkey', 'vonage', 'aliyun', 'tencent', 'hook', 'bearer'].map(S);
let failing: Server;
let server: TestServer;
let logged = '';
const seenBodies: string[] = [];

before(async () => {
  failing = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seenBodies.push(body);
      // Echo the request back in the error, as some providers do, to tempt a leak.
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'boom', echo: body, headers: req.headers }));
    });
  }).listen(0, '127.0.0.1');
  await once(failing, 'listening');
  const base = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
  server = await startServer({
    log: createLogger('debug', new Writable({ write(c, _e, done) { logged += String(c); done(); } })),
    config: {
      sms: {
        delivery: { retries: 0, timeoutMs: 2000, backoffMs: 10 },
        connectors: [
          { type: 'twilio', accountSid: `AC${'4'.repeat(32)}`, authToken: S('twilio'), from: '+15005550006', apiBaseUrl: base },
          { type: 'messagebird', accessKey: S('mbkey'), signingKey: S('mbsign'), originator: 'Acme', apiBaseUrl: base },
          { type: 'textlocal', apiKey: S('tlkey'), sender: 'Acme', apiBaseUrl: base },
          { type: 'vonage', apiKey: 'vkey', apiSecret: S('vonage'), from: 'Acme', apiBaseUrl: base },
          { type: 'aliyun', accessKeyId: 'LTAIexample', accessKeySecret: S('aliyun'), signName: 'Acme', templateCode: 'SMS_1', apiBaseUrl: base },
          { type: 'tencent', secretId: 'AKIDexample', secretKey: S('tencent'), smsSdkAppId: '1400000000', signName: 'Acme', templateId: '100', apiBaseUrl: base },
          { type: 'webhook', url: `${base}/hook`, headers: { 'x-api-key': S('hook') }, auth: { bearer: S('bearer') }, bodyTemplate: { to: '{{to}}', text: '{{body}}' } },
          { type: 'outbox', path: `${process.env.TMPDIR ?? '/tmp'}/flowgate-secrets-${process.pid}.jsonl` },
        ],
      },
    },
  });
  (server as { outbox: string }).outbox = `${process.env.TMPDIR ?? '/tmp'}/flowgate-secrets-${process.pid}.jsonl`;
});
after(async () => {
  await server.close();
  failing.closeAllConnections();
  failing.close();
});

test('rule 23: a login that fails over through every provider leaks no secret or code to logs, pages or stored errors', { timeout: 60_000 }, async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  assert.equal(seenBodies.length, 7, 'all seven providers were tried before the outbox');
  const done = await submitCode(browser, page, right);
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!));
  const pages = [page.html, done.html, (await browser.request('/interaction/unknown')).html].join('\n');
  const uid = page.html.match(/\/interaction\/([^/"]+)\/steps/)![1]!;
  const stored = JSON.stringify(await server.store.smsOutbox.latestFor(uid));
  assert.match(logged, /sms failover/);
  for (const secret of [...secrets, CLIENT.client_secret]) {
    assert.ok(!logged.includes(secret), `log contains ${secret}`);
    assert.ok(!pages.includes(secret), `a page contains ${secret}`);
    assert.ok(!stored.includes(secret), `the stored message contains ${secret}`);
  }
  assert.ok(!logged.includes(right), 'the code is not logged');
  assert.ok(!stored.includes(right), 'the code is not kept after sending');
});
