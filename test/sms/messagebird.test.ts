// The `messagebird` connector against a local fake of MessageBird's POST /messages: request shape
// and auth, success, error-code mapping, timeout, nothing listening, no secret in errors, and the
// config schema. Configs go through the connector's own configSchema (not yet in connectorSchema).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { configSchema } from '../../src/sms/connectors/messagebird/config.ts';
import { createMessageBirdConnector } from '../../src/sms/connectors/messagebird/index.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testErrorMapping, testHangTimeout, testNothingListening, type MappedCase } from '../helpers/fake-provider.ts';

const hex = (n: number) => randomBytes(n / 2).toString('hex');
const ACCESS_KEY = 'live_' + hex(20); // secret: must never show up in an error
const ORIGINATOR = 'Flowgate';
const BODY = 'Your flowgate code is 493817';
/** Never in an error: the access key, and the message text. */
const SECRETS = [ACCESS_KEY, BODY];

/** Recipients the fake treats specially (all fictional 555-01xx numbers). */
const TO = {
  ok: '+12025550100',
  badAuth: '+12025550102',
  missingRecipient: '+12025550120',
  invalidRecipient: '+12025550121',
  badOriginator: '+12025550122',
  noBalance: '+12025550123',
  recipientAndOriginator: '+12025550124',
  tooMany: '+12025550125',
  down: '+12025550126',
  downHtml: '+12025550127',
  echoesKey: '+12025550128',
  hang: '+12025550199',
} as const;

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
  contentType: string | undefined;
  json: unknown;
}

type ApiError = { code: number; description: string; parameter: string | null };
function mbError(res: ServerResponse, status: number, ...errors: ApiError[]) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors }));
}

const AUTH_ERROR: ApiError = { code: 2, description: 'Request not allowed (incorrect access_key)', parameter: 'access_key' };

/** Scripted failures by recipient MSISDN: the status and error list MessageBird answers with. */
const failures: Record<string, [number, ...ApiError[]]> = {
  [TO.missingRecipient.slice(1)]: [422, { code: 9, description: 'no (correct) recipients found', parameter: 'recipients' }],
  [TO.invalidRecipient.slice(1)]: [422, { code: 10, description: `recipient ${TO.invalidRecipient.slice(1)} is invalid`, parameter: 'recipients' }],
  [TO.badOriginator.slice(1)]: [422, { code: 10, description: 'originator is invalid', parameter: 'originator' }],
  [TO.noBalance.slice(1)]: [422, { code: 25, description: 'Not enough balance', parameter: null }],
  [TO.recipientAndOriginator.slice(1)]: [422,
    { code: 9, description: 'no (correct) recipients found', parameter: 'recipients' },
    { code: 10, description: 'originator is invalid', parameter: 'originator' }],
  [TO.down.slice(1)]: [500, { code: 99, description: 'Internal error', parameter: null }],
  // Not something MessageBird is known to do: checks the connector scrubs its own secret anyway.
  [TO.echoesKey.slice(1)]: [422, { code: 21, description: `bad request for key ${ACCESS_KEY}`, parameter: null }],
};

const fake = fakeProvider(handle);
const seen: Seen[] = [];

function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  let json: unknown;
  try { json = JSON.parse(raw); } catch { json = undefined; }
  seen.push({
    method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization,
    accept: req.headers.accept, contentType: req.headers['content-type'], json,
  });

  if (req.method !== 'POST' || req.url !== '/messages') return mbError(res, 404, { code: 20, description: 'message not found', parameter: null });
  if (req.headers.authorization !== `AccessKey ${ACCESS_KEY}`) return mbError(res, 401, AUTH_ERROR);
  if (!req.headers['content-type']?.startsWith('application/json') || typeof json !== 'object' || json === null) {
    return mbError(res, 422, { code: 9, description: 'no (correct) recipients found', parameter: 'recipients' });
  }
  const body = json as { originator?: unknown; recipients?: unknown; body?: unknown };
  if (typeof body.originator !== 'string' || !body.originator) return mbError(res, 422, { code: 9, description: 'originator is required', parameter: 'originator' });
  if (typeof body.body !== 'string' || !body.body) return mbError(res, 422, { code: 9, description: 'body is required', parameter: 'body' });
  const recipients = Array.isArray(body.recipients) ? body.recipients : [];
  // MSISDNs: digits with country code, no `+`.
  if (recipients.length !== 1 || !/^[1-9][0-9]{5,14}$/.test(String(recipients[0]))) {
    return mbError(res, 422, { code: 9, description: 'no (correct) recipients found', parameter: 'recipients' });
  }
  const msisdn = String(recipients[0]);

  if (msisdn === TO.hang.slice(1)) return fake.hang(res);
  if (msisdn === TO.tooMany.slice(1)) { res.writeHead(429, { 'content-type': 'text/plain' }); return res.end('Too Many Requests'); }
  if (msisdn === TO.downHtml.slice(1)) {
    res.writeHead(503, { 'content-type': 'text/html' });
    return res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
  }
  const failure = failures[msisdn];
  if (failure) { const [status, ...errors] = failure; return mbError(res, status, ...errors); }

  const id = hex(32);
  const now = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    id,
    href: `https://rest.messagebird.com/messages/${id}`,
    direction: 'mt',
    type: 'sms',
    originator: body.originator,
    body: body.body,
    reference: null,
    validity: null,
    gateway: 10,
    typeDetails: {},
    datacoding: 'plain',
    mclass: 1,
    scheduledDatetime: null,
    createdDatetime: now,
    recipients: {
      totalCount: 1, totalSentCount: 1, totalDeliveredCount: 0, totalDeliveryFailedCount: 0,
      items: [{ recipient: Number(msisdn), status: 'sent', statusDatetime: now }],
    },
  }));
}

const valid = () => ({ type: 'messagebird', accessKey: ACCESS_KEY, originator: ORIGINATOR, apiBaseUrl: fake.baseUrl, timeoutMs: 2_000 });

/** Built through the real config schema, so the test values are ones a user could configure. */
function connector(overrides: Record<string, unknown> = {}) {
  return createMessageBirdConnector(configSchema.parse({ ...valid(), ...overrides }));
}

const msg = (to: string): SmsMessage => ({ to, body: BODY, usage: 'sign-in' });

test('sends: POST /messages, AccessKey auth, JSON { originator, recipients: [msisdn], body }; returns the id', async () => {
  const before = seen.length;
  const out = await connector().send(msg(TO.ok));
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/messages');
  assert.equal(req.authorization, `AccessKey ${ACCESS_KEY}`);
  assert.match(req.accept ?? '', /application\/json/);
  assert.match(req.contentType ?? '', /^application\/json/);
  assert.deepEqual(req.json, { originator: ORIGINATOR, recipients: ['12025550100'], body: BODY, datacoding: 'auto' });
  assert.match(out.providerMessageId ?? '', /^[0-9a-f]{32}$/);
});

test('returns the id MessageBird assigned (not a made-up one)', async () => {
  const a = await connector().send(msg(TO.ok));
  const b = await connector().send(msg(TO.ok));
  assert.notEqual(a.providerMessageId, b.providerMessageId);
});

test('a numeric originator and an apiBaseUrl with a trailing slash', async () => {
  await connector({ originator: '+31612345678', apiBaseUrl: `${fake.baseUrl}/` }).send(msg(TO.ok));
  const req = seen.at(-1)!;
  assert.equal(req.path, '/messages');
  assert.equal((req.json as { originator: string }).originator, '+31612345678');
});

test('a wrong access key is invalid_config, and the wrong key is not in the error', async () => {
  const wrong = 'live_' + hex(20);
  const err = await failure(connector({ accessKey: wrong }).send(msg(TO.badAuth)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=401 code=2 parameter=access_key/);
  assertNoSecret(err, [...SECRETS, wrong]);
});

test('a number that is not international never reaches MessageBird → invalid_recipient', async () => {
  const before = seen.length;
  for (const to of ['', '12345', '+0123456789', 'not a number', '+1202555010000000']) {
    const err = await failure(connector().send(msg(to)));
    assert.equal(err.code, 'invalid_recipient');
    assertNoSecret(err, SECRETS);
  }
  assert.equal(seen.length, before, 'no request was made');
});

const mapped: MappedCase[] = [
  ['422 code 9 recipients (no correct recipients)', TO.missingRecipient, 'invalid_recipient', /status=422 code=9 parameter=recipients/],
  ['422 code 10 recipients (invalid)', TO.invalidRecipient, 'invalid_recipient', /status=422 code=10 parameter=recipients/],
  ['422 code 10 originator', TO.badOriginator, 'invalid_config', /status=422 code=10 parameter=originator/],
  ['422 code 25 not enough balance', TO.noBalance, 'invalid_config', /status=422 code=25/],
  ['422 recipient and originator errors (the config problem outranks)', TO.recipientAndOriginator, 'invalid_config', /code=9 .*code=10/],
  ['429 too many requests', TO.tooMany, 'rate_limited', /status=429/],
  ['500 code 99 internal error', TO.down, 'unavailable', /status=500 code=99/],
  ['503 HTML from a load balancer', TO.downHtml, 'unavailable', /status=503 \(non-JSON body\)/],
  ['an error text quoting the access key', TO.echoesKey, 'rejected', /code=21 .*\[redacted\]/],
];
testErrorMapping('MessageBird', mapped, (to) => connector().send(msg(to)), (err, to) => {
  assert.ok(!(err.detail ?? '').includes(to.slice(1)), `the recipient's number is masked: ${err.detail}`);
  assertNoSecret(err, SECRETS);
});

test('a wrong apiBaseUrl path (404) → invalid_config', async () => {
  const err = await failure(connector({ apiBaseUrl: `${fake.baseUrl}/v2` }).send(msg(TO.ok)));
  assert.equal(err.code, 'invalid_config');
  assertNoSecret(err, SECRETS);
});

testHangTimeout('MessageBird hanging past timeoutMs → unavailable', () => connector({ timeoutMs: 300 }).send(msg(TO.hang)), (err) => assertNoSecret(err, SECRETS));

testNothingListening((apiBaseUrl) => connector({ apiBaseUrl }).send(msg(TO.ok)), (err) => assertNoSecret(err, SECRETS));

test('config: defaults to the real API origin and a 5 s timeout', () => {
  const c = configSchema.parse({ type: 'messagebird', accessKey: ACCESS_KEY, originator: ORIGINATOR });
  assert.equal(c.apiBaseUrl, 'https://rest.messagebird.com');
  assert.equal(c.timeoutMs, 5_000);
});

test('config: refuses bad configs', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['no access key', { accessKey: undefined }],
    ['empty access key', { accessKey: '' }],
    ['access key with a space', { accessKey: 'live_ abc' }],
    ['no originator', { originator: undefined }],
    ['originator over 11 characters', { originator: 'FlowgateAuth' }],
    ['originator with punctuation', { originator: 'its.invalid' }],
    ['originator number over 15 digits', { originator: '+1234567890123456' }],
    ['apiBaseUrl not http(s)', { apiBaseUrl: 'ftp://rest.messagebird.com' }],
    ['timeout too small', { timeoutMs: 10 }],
    ['unknown key', { from: '+12025550100' }],
  ];
  for (const [name, overrides] of bad) {
    assert.equal(configSchema.safeParse({ ...valid(), ...overrides }).success, false, name);
  }
  assert.equal(configSchema.safeParse(valid()).success, true);
});
