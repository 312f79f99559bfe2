// Property-based fuzzing of the SMS delivery-report routes: POST /sms/status/twilio and
// POST/GET /sms/status/messagebird with arbitrary bodies, content types, headers and signatures
// (missing, garbage, wrong key, wrong URL, and valid ones over the arbitrary body, so that the
// handlers behind the check get hostile values too). Every answer: no 5xx, no stack trace or
// internal path, no unescaped reflection; a bad signature changes no message.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'node:querystring';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { after, before, test } from 'node:test';
import twilio from 'twilio';
import { Browser, formAction } from '../helpers/browser.ts';
import { openPhonePage, submitPhone } from '../helpers/login.ts';
import {
  assertUsersUnchanged, buildRequest, formCase, FUZZ_LIMITS, fuzz, headerString, hostileString, queryCase, seedOf, sendCase, snapshotUsers, Tally,
  type UserSnapshot,
} from '../helpers/fuzz.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import type { SmsOutboxStore } from '../../src/store/types.ts';

const SEED = seedOf('fuzz-status', 20261231);
const TIMEOUT = { timeout: 240_000 };
const AUTH_TOKEN = 'fuzz-status-auth-token';
const SIGNING_KEY = 'messagebird-signing-key-0123456789';

let api: Server;
let sequence = 0;
let server: TestServer;
let seeded: UserSnapshot[];
/** Provider message ids of messages this server really sent (so that some reports are about known messages). */
const sent: string[] = [];
let messageIds: string[] = [];

before(async () => {
  api = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      sequence += 1;
      const id = req.url!.includes('/Messages.json') ? `SM${String(sequence).padStart(32, '0')}` : `mb-${sequence}`;
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: id, id, status: 'queued' }));
    });
  }).listen(0, '127.0.0.1');
  await once(api, 'listening');
  const apiBaseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  server = await startServer({
    config: {
      limits: FUZZ_LIMITS,
      sms: {
        connectors: [
          { type: 'twilio', accountSid: `AC${'3'.repeat(32)}`, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl },
          { type: 'messagebird', accessKey: 'live_key', originator: 'Acme', apiBaseUrl, signingKey: SIGNING_KEY },
        ],
      },
    },
  });
  for (let i = 0; i < 3; i += 1) {
    const { browser, page } = await openPhonePage(server);
    const codePage = await submitPhone(browser, page, REGISTERED);
    await server.flowgate.drainSms();
    const uid = formAction(codePage.html, '/steps/').split('/')[2]!;
    const message = (await server.store.smsOutbox.latestFor(uid))!;
    sent.push(message.providerMessageId!);
    messageIds.push(message.id);
  }
  seeded = await snapshotUsers(server, [REGISTERED]);
});
after(async () => {
  await assertUsersUnchanged(server, seeded);
  await server.close();
  api.closeAllConnections();
  api.close();
});

const statuses = async (store: { smsOutbox: SmsOutboxStore }) => Promise.all(messageIds.map(async (id) => (await store.smsOutbox.get(id))?.status));
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

test('fuzz: Twilio status callbacks (POST /sms/status/twilio)', TIMEOUT, async () => {
  const tally = new Tally('twilio status callback');
  const url = `${server.url}/sms/status/twilio`;
  const browser = new Browser(server.url);
  const arb = fc.record({
    c: formCase({
      MessageSid: fc.oneof(fc.constantFrom(...sent), fc.constantFrom('SM00000000000000000000000000000000', '__proto__', 'constructor')),
      MessageStatus: fc.constantFrom('delivered', 'undelivered', 'failed', 'sent', 'queued', '__proto__', 'hasOwnProperty', 'toString'),
      ErrorCode: fc.constantFrom('30003', '', '<script>alert(1)</script>'),
      AccountSid: fc.constantFrom(`AC${'3'.repeat(32)}`, 'AC'),
    }),
    signature: fc.constantFrom('valid', 'valid', 'valid', 'missing', 'garbage', 'wrong-token', 'wrong-url', 'empty'),
    garbageSignature: headerString,
  });
  let rejectedChanged = false;
  await fuzz(tally, SEED, arb, async ({ c, signature, garbageSignature }) => {
    const req = buildRequest(c, undefined, 'csrf-unused');
    // What the route's urlencoded parser (extended: false) makes of the body, signed as Twilio would sign it.
    const params = c.encoding === 'form' || c.encoding === 'params' ? { ...parse(req.body) } : {};
    const sign = (token: string, at: string) => twilio.getExpectedTwilioSignature(token, at, params as Record<string, string>);
    const header = signature === 'valid' ? sign(AUTH_TOKEN, url) : signature === 'wrong-token' ? sign('wrong-token', url)
      : signature === 'wrong-url' ? sign(AUTH_TOKEN, `${url}?x=1`) : signature === 'garbage' ? garbageSignature : signature === 'empty' ? '' : undefined;
    const snapshot = signature === 'valid' ? undefined : await statuses(server.store);
    const page = await sendCase(browser, url, { ...req, headers: { ...req.headers, ...(header !== undefined ? { 'x-twilio-signature': header } : {}) } }, tally, tally.form, { emptyStatuses: [204] });
    if (signature !== 'valid' && page.status < 400) assert.fail(`an unsigned report was accepted: ${page.status}`);
    if (snapshot && JSON.stringify(snapshot) !== JSON.stringify(await statuses(server.store))) rejectedChanged = true;
  });
  assert.equal(rejectedChanged, false, 'a report with a bad signature never changes a message');
  assert.equal(tally.fiveXx, 0);
});

async function birdToken(opts: { key: string; url: string; body?: string; alg?: string; expired?: boolean }): Promise<string> {
  const claims: Record<string, string> = { url_hash: sha256(opts.url) };
  if (opts.body) claims.payload_hash = sha256(Buffer.from(opts.body, 'utf8'));
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' }).setIssuer('MessageBird').setIssuedAt().setJti('j1');
  if (opts.expired) jwt.setIssuedAt(1_000_000).setExpirationTime(1_000_060);
  else jwt.setNotBefore('0s').setExpirationTime('1m');
  return jwt.sign(new TextEncoder().encode(opts.key));
}

const birdMode = fc.constantFrom('valid', 'valid', 'valid', 'missing', 'garbage', 'wrong-key', 'wrong-url', 'wrong-body', 'expired', 'none-alg');

async function birdHeader(mode: string, url: string, body: string | undefined, garbage: string): Promise<string | undefined> {
  switch (mode) {
    case 'valid': return birdToken({ key: SIGNING_KEY, url, ...(body ? { body } : {}) });
    case 'wrong-key': return birdToken({ key: 'not-the-signing-key-000000', url, ...(body ? { body } : {}) });
    case 'wrong-url': return birdToken({ key: SIGNING_KEY, url: `${url}&x=1`, ...(body ? { body } : {}) });
    case 'wrong-body': return birdToken({ key: SIGNING_KEY, url, body: `${body ?? ''}x` });
    case 'expired': return birdToken({ key: SIGNING_KEY, url, expired: true, ...(body ? { body } : {}) });
    case 'none-alg': return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'MessageBird', url_hash: sha256(url) })).toString('base64url')}.`;
    case 'garbage': return garbage;
    default: return undefined;
  }
}

/** Built in each test: `sent` fills in `before`. */
const birdFields = () => ({
  id: fc.oneof(fc.constantFrom(...sent), fc.constantFrom('mb-0', '__proto__', 'constructor')),
  status: fc.constantFrom('delivered', 'delivery_failed', 'expired', 'sent', 'buffered', '__proto__', 'hasOwnProperty'),
  statusDatetime: fc.constantFrom('2026-11-22T10:00:00+00:00', 'yesterday', ''),
  reference: hostileString,
});

test('fuzz: MessageBird status reports (POST /sms/status/messagebird)', TIMEOUT, async () => {
  const tally = new Tally('messagebird status report (POST)');
  const browser = new Browser(server.url);
  const arb = fc.record({ c: formCase(birdFields()), q: queryCase({ id: birdFields().id, status: birdFields().status }), mode: birdMode, garbage: headerString });
  let rejectedChanged = false;
  await fuzz(tally, SEED + 1, arb, async ({ c, q, mode, garbage }) => {
    const req = buildRequest(c, undefined, 'csrf-unused');
    const target = new URL(`/sms/status/messagebird${q.query ? `?${q.query}` : ''}`, server.url);
    const header = await birdHeader(mode, `${server.url}${target.pathname}${target.search}`, req.body || undefined, garbage);
    const snapshot = mode === 'valid' ? undefined : await statuses(server.store);
    const page = await sendCase(browser, target.href, { ...req, inputs: [...req.inputs, ...q.inputs], headers: { ...req.headers, ...(header !== undefined ? { 'messagebird-signature-jwt': header } : {}) } }, tally, tally.form, { text: true });
    if (mode !== 'valid' && page.status < 400) assert.fail(`an unsigned report was accepted: ${page.status}`);
    if (snapshot && JSON.stringify(snapshot) !== JSON.stringify(await statuses(server.store))) rejectedChanged = true;
  });
  assert.equal(rejectedChanged, false, 'a report with a bad signature never changes a message');
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: MessageBird status reports (GET /sms/status/messagebird)', TIMEOUT, async () => {
  const tally = new Tally('messagebird status report (GET)');
  const browser = new Browser(server.url);
  const arb = fc.record({ q: queryCase(birdFields()), mode: birdMode, garbage: headerString });
  await fuzz(tally, SEED + 2, arb, async ({ q, mode, garbage }) => {
    const target = new URL(`/sms/status/messagebird?${q.query}`, server.url);
    const header = await birdHeader(mode, `${server.url}${target.pathname}${target.search}`, undefined, garbage);
    const page = await sendCase(browser, target.href, { method: 'GET', inputs: q.inputs, headers: { accept: q.accept, ...(header !== undefined ? { 'messagebird-signature-jwt': header } : {}) } }, tally, tally.form, { text: true });
    if (mode !== 'valid' && page.status < 400) assert.fail(`an unsigned report was accepted: ${page.status}`);
  });
  assert.equal(tally.fiveXx, 0);
});
