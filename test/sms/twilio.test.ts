// The real `twilio` connector (official SDK) against a local fake of Twilio's Messages endpoint:
// request shape and auth, success, error-code mapping, timeout, and no secret in errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { connectorSchema, type ConnectorConfig } from '../../src/config/schema.ts';
import { createTwilioConnector } from '../../src/sms/connectors/twilio/index.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testErrorMapping, testHangTimeout, testNothingListening, type MappedCase } from '../helpers/fake-provider.ts';

type TwilioConfig = Extract<ConnectorConfig, { type: 'twilio' }>;

const hex = (n: number) => randomBytes(n / 2).toString('hex');
const ACCOUNT_SID = 'AC' + '0'.repeat(24) + hex(8);
const AUTH_TOKEN = 'tok' + hex(32); // secret: must never show up in an error
/** Never in an error: the token, and the Basic credentials made from it. */
const SECRETS = [AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')];
const MESSAGING_SERVICE_SID = 'MG' + '1'.repeat(24) + hex(8);
const FROM = '+15005550006';

/** Recipients the fake treats specially (all fictional 555-01xx numbers). */
const TO = {
  ok: '+12025550100',
  service: '+12025550101',
  badAuth: '+12025550102',
  invalidTo: '+12025550121',
  unsubscribed: '+12025550122',
  tooMany: '+12025550123',
  down: '+12025550124',
  downHtml: '+12025550125',
  hang: '+12025550199',
} as const;

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

function twilioError(res: ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

/** Scripted failures by recipient: Twilio's documented status + error code + message. */
const failures: Record<string, [number, number, string]> = {
  [TO.invalidTo]: [400, 21211, `The 'To' number ${TO.invalidTo} is not a valid phone number.`],
  [TO.unsubscribed]: [400, 21610, 'Attempt to send to unsubscribed recipient'],
  [TO.tooMany]: [429, 20429, 'Too Many Requests'],
  [TO.down]: [503, 20503, 'Service Unavailable'],
};

const fake = fakeProvider(handle);
const seen: Seen[] = [];

function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const form = Object.fromEntries(new URLSearchParams(raw));
  seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], form });

  const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !m) return twilioError(res, 404, 20404, 'The requested resource was not found');

  const expected = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
  if (req.headers.authorization !== expected || m[1] !== ACCOUNT_SID) return twilioError(res, 401, 20003, 'Authenticate');

  if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
    return twilioError(res, 400, 21604, "A 'To' phone number is required.");
  }
  if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
  if (!form.Body) return twilioError(res, 400, 21602, 'Message body is required.');
  if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");

  if (form.To === TO.hang) return fake.hang(res);
  if (form.To === TO.downHtml) {
    res.writeHead(503, { 'content-type': 'text/html' });
    return res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
  }
  const failure = failures[form.To];
  if (failure) return twilioError(res, ...failure);

  const sid = 'SM' + hex(32);
  const now = new Date().toUTCString().replace('GMT', '+0000');
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    account_sid: ACCOUNT_SID,
    api_version: '2010-04-01',
    body: form.Body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid,
    status: form.MessagingServiceSid ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media.json` },
    to: form.To,
    uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`,
  }));
}

/** Built through the real config schema, so the test values are ones a user could configure. */
function connector(overrides: Record<string, unknown> = {}) {
  const config = connectorSchema.parse({
    type: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: fake.baseUrl, timeoutMs: 2_000, ...overrides,
  }) as TwilioConfig;
  return createTwilioConnector(config);
}

const msg = (to: string): SmsMessage => ({ to, body: 'Your flowgate code is 123456', usage: 'sign-in' });

test('sends with `from`: To/From/Body only, Basic auth, returns the message sid', async () => {
  const before = seen.length;
  const out = await connector().send(msg(TO.ok));
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  assert.equal(req.authorization, 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'));
  assert.match(req.contentType ?? '', /^application\/x-www-form-urlencoded/);
  assert.deepEqual(req.form, { To: TO.ok, From: FROM, Body: 'Your flowgate code is 123456' });
  assert.match(out.providerMessageId ?? '', /^SM[0-9a-f]{32}$/);
});

test('returns the sid Twilio assigned (not a made-up one)', async () => {
  const a = await connector().send(msg(TO.ok));
  const b = await connector().send(msg(TO.ok));
  assert.notEqual(a.providerMessageId, b.providerMessageId);
});

test('sends with messagingServiceSid: carries MessagingServiceSid and no From', async () => {
  const out = await connector({ from: undefined, messagingServiceSid: MESSAGING_SERVICE_SID }).send(msg(TO.service));
  const req = seen.at(-1)!;
  assert.deepEqual(req.form, { To: TO.service, MessagingServiceSid: MESSAGING_SERVICE_SID, Body: 'Your flowgate code is 123456' });
  assert.equal('From' in req.form, false);
  assert.match(out.providerMessageId ?? '', /^SM[0-9a-f]{32}$/);
});

test('a wrong auth token is invalid_config, and the wrong token is not in the error', async () => {
  const wrong = 'tok' + hex(32);
  const err = await failure(connector({ authToken: wrong }).send(msg(TO.badAuth)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /20003/);
  assertNoSecret(err, [...SECRETS, wrong, Buffer.from(`${ACCOUNT_SID}:${wrong}`).toString('base64')]);
});

const mapped: MappedCase[] = [
  ['400 21211 invalid To', TO.invalidTo, 'invalid_recipient', /status=400 code=21211/],
  ['400 21610 unsubscribed', TO.unsubscribed, 'rejected', /status=400 code=21610/],
  ['429 20429 too many requests', TO.tooMany, 'rate_limited', /status=429 code=20429/],
  ['503 JSON error', TO.down, 'unavailable', /status=503 code=20503/],
  ['503 HTML from a load balancer', TO.downHtml, 'unavailable', /status=503/],
];
testErrorMapping('Twilio', mapped, (to) => connector().send(msg(to)), (err) => assertNoSecret(err, SECRETS));

testHangTimeout('Twilio hanging past timeoutMs → unavailable', () => connector({ timeoutMs: 300 }).send(msg(TO.hang)), (err) => assertNoSecret(err, SECRETS));

testNothingListening((apiBaseUrl) => connector({ apiBaseUrl }).send(msg(TO.ok)), (err) => assertNoSecret(err, SECRETS));
