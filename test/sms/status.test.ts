// Delivery reports: Twilio status callbacks (the SDK's signature scheme) and MessageBird status
// reports (MessageBird-Signature-JWT) update the message's status; a bad signature gets 403.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import twilio from 'twilio';
import { formAction } from '../helpers/browser.ts';
import { openPhonePage, submitPhone } from '../helpers/login.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const AUTH_TOKEN = 'status-test-auth-token';
const SIGNING_KEY = 'messagebird-signing-key-0123456789';
let api: Server;
let sequence = 0;

async function providerFake(): Promise<string> {
  api = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      sequence += 1;
      const id = req.url!.includes('/Messages.json') ? `SM${String(sequence).padStart(32, '0')}` : `mb-${sequence}`;
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: id, id, status: 'queued' }));
    });
  }).listen(0, '127.0.0.1');
  await once(api, 'listening');
  return `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}

let twilioServer: TestServer;
let birdServer: TestServer;
before(async () => {
  const apiBaseUrl = await providerFake();
  twilioServer = await startServer({ config: { sms: { connectors: [{ type: 'twilio', accountSid: `AC${'3'.repeat(32)}`, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl }] } } });
  birdServer = await startServer({ config: { sms: { connectors: [{ type: 'messagebird', accessKey: 'live_key', originator: 'Acme', apiBaseUrl, signingKey: SIGNING_KEY }] } } });
});
after(async () => {
  await twilioServer.close();
  await birdServer.close();
  api.closeAllConnections();
  api.close();
});

async function sentMessage(server: TestServer) {
  const { browser, page } = await openPhonePage(server);
  const codePage = await submitPhone(browser, page, REGISTERED);
  await server.flowgate.drainSms();
  const uid = formAction(codePage.html, '/steps/').split('/')[2]!;
  const message = (await server.store.smsOutbox.latestFor(uid))!;
  assert.equal(message.status, 'sent');
  return message;
}

test('a signed Twilio status callback marks the message delivered; a bad signature gets 403', async () => {
  const message = await sentMessage(twilioServer);
  const url = `${twilioServer.url}/sms/status/twilio`;
  const params = { MessageSid: message.providerMessageId!, MessageStatus: 'delivered', AccountSid: `AC${'3'.repeat(32)}` };
  const post = (signature: string | undefined) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    body: new URLSearchParams(params),
  });
  assert.equal((await post(undefined)).status, 403);
  assert.equal((await post(twilio.getExpectedTwilioSignature('wrong-token', url, params))).status, 403);
  assert.equal((await twilioServer.store.smsOutbox.get(message.id))?.status, 'sent', 'unchanged by unsigned reports');
  assert.equal((await post(twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params))).status, 204);
  assert.equal((await twilioServer.store.smsOutbox.get(message.id))?.status, 'delivered');
});

test('a signed MessageBird status report marks the message failed; a bad signature gets 403', async () => {
  const message = await sentMessage(birdServer);
  const path = `/sms/status/messagebird?id=${message.providerMessageId}&status=delivery_failed&statusDatetime=2026-11-22T10%3A00%3A00%2B00%3A00`;
  const sign = (key: string, url: string) => new SignJWT({ url_hash: createHash('sha256').update(url).digest('hex') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer('MessageBird').setIssuedAt().setNotBefore('0s').setExpirationTime('1m').setJti('j1')
    .sign(new TextEncoder().encode(key));
  const get = async (token: string) => fetch(`${birdServer.url}${path}`, { headers: { 'messagebird-signature-jwt': token } });
  assert.equal((await get(await sign('not-the-signing-key-000000', `${birdServer.url}${path}`))).status, 403);
  assert.equal((await get(await sign(SIGNING_KEY, `${birdServer.url}/sms/status/messagebird?id=other`))).status, 403, 'the URL is bound');
  assert.equal((await get('garbage')).status, 403);
  assert.equal((await get(await sign(SIGNING_KEY, `${birdServer.url}${path}`))).status, 200);
  const after = await birdServer.store.smsOutbox.get(message.id);
  assert.equal(after?.status, 'failed');
  assert.equal(after?.error, 'delivery_failed');
});
