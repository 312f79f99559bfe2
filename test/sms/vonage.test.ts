// The `vonage` connector against a local fake of Vonage's SMS API (POST /sms/json): request shape and
// credentials, success, every documented status mapped, HTTP/network failures, and no secret in errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { configSchema, secretKeys } from '../../src/sms/connectors/vonage/config.ts';
import { createVonageConnector, isGsm7 } from '../../src/sms/connectors/vonage/index.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testErrorMapping, testHangTimeout, testNothingListening, type MappedCase } from '../helpers/fake-provider.ts';

const API_KEY = randomBytes(4).toString('hex');
const API_SECRET = 'Sx' + randomBytes(12).toString('hex'); // secret: must never show up in an error
const FROM = 'Flowgate';
/** Never in an error. */
const SECRETS = [API_SECRET];

/** Recipients the fake treats specially (fictional 555-01xx numbers), and Vonage's documented answers. */
const TO = {
  ok: '+12025550100',
  unicode: '+12025550101',
  numericFrom: '+12025550102',
  badAuth: '+12025550103',
  throttled: '+12025550110',
  missing: '+12025550111',
  invalidTo: '+12025550112',
  invalidParam: '+12025550113',
  badCreds: '+12025550114',
  internal: '+12025550115',
  invalidMessage: '+12025550116',
  barred: '+12025550117',
  accountBarred: '+12025550118',
  quota: '+12025550119',
  illegalSender: '+12025550120',
  notWhitelisted: '+12025550121',
  secondPartFails: '+12025550130',
  echoesSecret: '+12025550131',
  http503: '+12025550140',
  http401: '+12025550141',
  notJson: '+12025550142',
  hang: '+12025550199',
} as const;

const digits = (n: string) => n.slice(1);

/** [status, error-text] as Vonage returns them in `messages[0]`. */
const scripted: Record<string, [string, string]> = {
  [digits(TO.throttled)]: ['1', 'Throttled'],
  [digits(TO.missing)]: ['2', 'Missing from param'],
  [digits(TO.invalidTo)]: ['3', 'Invalid to address'],
  [digits(TO.invalidParam)]: ['3', 'Invalid value for param: ttl'],
  [digits(TO.badCreds)]: ['4', 'Bad Credentials'],
  [digits(TO.internal)]: ['5', 'Internal Error'],
  [digits(TO.invalidMessage)]: ['6', 'Invalid Message'],
  [digits(TO.barred)]: ['7', 'Number barred.'],
  [digits(TO.accountBarred)]: ['8', 'Partner account barred'],
  [digits(TO.quota)]: ['9', 'Quota Exceeded - rejected'],
  [digits(TO.illegalSender)]: ['15', 'Illegal Sender Address - rejected'],
  [digits(TO.notWhitelisted)]: ['29', 'Non White-listed Destination - rejected'],
};

interface Seen { method: string; path: string; contentType: string | undefined; form: Record<string, string> }

const fake = fakeProvider(handle);
const seen: Seen[] = [];

function reply(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
const failed = (to: string, status: string, text: string) => ({ 'message-count': '1', messages: [{ to, status, 'error-text': text }] });
const messageId = () => randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
const accepted = (to: string) => ({
  to, 'message-id': messageId(), status: '0', 'remaining-balance': '15.53590000', 'message-price': '0.03330000', network: '310004',
});

function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const form = Object.fromEntries(new URLSearchParams(raw));
  seen.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], form });
  if (req.method !== 'POST' || req.url !== '/sms/json') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('Not Found');
  }
  if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return reply(res, failed('', '2', 'Missing api_key'));
  for (const p of ['api_key', 'api_secret', 'from', 'to', 'text']) {
    if (!form[p]) return reply(res, failed(form.to ?? '', '2', `Missing ${p} param`));
  }
  if (form.api_key !== API_KEY || form.api_secret !== API_SECRET) return reply(res, failed(form.to!, '4', 'Bad Credentials'));
  const to = form.to!;
  if (!/^\d{6,15}$/.test(to)) return reply(res, failed(to, '3', 'Invalid to address'));

  if (to === digits(TO.hang)) return fake.hang(res);
  if (to === digits(TO.http503)) {
    res.writeHead(503, { 'content-type': 'text/html' });
    return res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
  }
  if (to === digits(TO.http401)) { res.writeHead(401); return res.end(); }
  if (to === digits(TO.notJson)) { res.writeHead(200, { 'content-type': 'text/html' }); return res.end('<html>maintenance</html>'); }
  if (to === digits(TO.echoesSecret)) return reply(res, failed(to, '3', `Invalid to address ${to} (api_secret=${form.api_secret})`));
  if (to === digits(TO.secondPartFails)) {
    return reply(res, { 'message-count': '2', messages: [accepted(to), { to, status: '5', 'error-text': 'Internal Error' }] });
  }
  const s = scripted[to];
  if (s) return reply(res, failed(to, ...s));
  return reply(res, { 'message-count': '1', messages: [accepted(to)] });
}

/** Built through the connector's config schema, so the test values are ones a user could configure. */
function connector(overrides: Record<string, unknown> = {}) {
  const config = configSchema.parse({
    type: 'vonage', apiKey: API_KEY, apiSecret: API_SECRET, from: FROM, apiBaseUrl: fake.baseUrl, timeoutMs: 2_000, ...overrides,
  });
  return createVonageConnector(config);
}

const BODY = 'Your flowgate code is 123456';
const msg = (to: string, body = BODY): SmsMessage => ({ to, body, usage: 'sign-in', locale: 'en' });

test('config: apiSecret is the secret; bad `from` is refused with a clear message', () => {
  assert.deepEqual([...secretKeys], ['apiSecret']);
  const bad = configSchema.safeParse({ type: 'vonage', apiKey: API_KEY, apiSecret: API_SECRET, from: 'MuchTooLongSender' });
  assert.equal(bad.success, false);
  assert.match(bad.error!.issues[0]!.message, /alphanumeric sender ID of at most 11 characters/);
  assert.equal(configSchema.safeParse({ type: 'vonage', apiKey: API_KEY, apiSecret: API_SECRET, from: FROM, extra: 1 }).success, false);
  assert.equal(configSchema.parse({ type: 'vonage', apiKey: API_KEY, apiSecret: API_SECRET, from: FROM }).timeoutMs, 5_000);
});

test('sends a GSM-7 text: POST /sms/json, form fields exactly, `to` without +, returns the message-id', async () => {
  const before = seen.length;
  const out = await connector().send(msg(TO.ok));
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/sms/json');
  assert.match(req.contentType ?? '', /^application\/x-www-form-urlencoded/);
  assert.deepEqual(req.form, { api_key: API_KEY, api_secret: API_SECRET, from: FROM, to: '12025550100', text: BODY });
  assert.match(out.providerMessageId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('returns the id Vonage assigned (not a made-up one)', async () => {
  const a = await connector().send(msg(TO.ok));
  const b = await connector().send(msg(TO.ok));
  assert.notEqual(a.providerMessageId, b.providerMessageId);
});

test('GSM-7 detection: German umlauts and € stay text; Cyrillic and emoji need unicode', () => {
  assert.equal(isGsm7('123456 ist Ihr Code für Flowgate. Gültig für 10 Minuten. {€}'), true);
  assert.equal(isGsm7('Код 123456'), false);
  assert.equal(isGsm7('code 123456 🙂'), false);
  assert.equal(isGsm7('ç is not GSM-7 (only Ç is)'), false);
});

test('a non-GSM-7 body is sent with type=unicode; a GSM-7 one has no type', async () => {
  await connector().send(msg(TO.unicode, 'Ваш код 123456'));
  assert.deepEqual(seen.at(-1)!.form, { api_key: API_KEY, api_secret: API_SECRET, from: FROM, to: '12025550101', text: 'Ваш код 123456', type: 'unicode' });
  await connector().send(msg(TO.unicode, '123456 ist Ihr Code für Flowgate'));
  assert.equal('type' in seen.at(-1)!.form, false);
});

test('a numeric `from` is sent without the +', async () => {
  await connector({ from: '+12025550150' }).send(msg(TO.numericFrom));
  assert.equal(seen.at(-1)!.form.from, '12025550150');
});

test('a wrong api secret is invalid_config, and neither secret is in the error', async () => {
  const wrong = 'Sx' + randomBytes(12).toString('hex');
  const err = await failure(connector({ apiSecret: wrong }).send(msg(TO.badAuth)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=4 Bad Credentials/);
  assertNoSecret(err, [...SECRETS, wrong]);
});

const mapped: MappedCase[] = [
  ['1 Throttled', TO.throttled, 'rate_limited', /status=1 Throttled/],
  ['2 Missing params', TO.missing, 'rejected', /status=2 Missing from param/],
  ['3 Invalid params about `to`', TO.invalidTo, 'invalid_recipient', /status=3 Invalid to address/],
  ['3 Invalid params about another field', TO.invalidParam, 'rejected', /status=3 Invalid value for param: ttl/],
  ['4 Invalid credentials', TO.badCreds, 'invalid_config', /status=4 Bad Credentials/],
  ['5 Internal error', TO.internal, 'unavailable', /status=5 Internal Error/],
  ['6 Invalid message', TO.invalidMessage, 'rejected', /status=6 Invalid Message/],
  ['7 Number barred', TO.barred, 'invalid_recipient', /status=7 Number barred/],
  ['8 Partner account barred', TO.accountBarred, 'invalid_config', /status=8 .*suspended/],
  ['9 Partner quota exceeded', TO.quota, 'invalid_config', /status=9 Quota Exceeded.*no credit left; top it up/],
  ['15 Illegal sender', TO.illegalSender, 'invalid_config', /status=15 Illegal Sender Address.*`from`/],
  ['29 Non-whitelisted destination', TO.notWhitelisted, 'invalid_recipient', /status=29 Non White-listed Destination.*demo mode/],
  ['one of two parts failing (5)', TO.secondPartFails, 'unavailable', /status=5/],
  ['HTTP 503 HTML from a load balancer', TO.http503, 'unavailable', /http=503/],
  ['HTTP 401', TO.http401, 'invalid_config', /http=401/],
  ['200 with a non-JSON body', TO.notJson, 'unavailable', /not JSON/],
];
testErrorMapping('Vonage', mapped, (to) => connector().send(msg(to)), (err, to) => {
  assert.ok(!(err.detail ?? '').includes(digits(to)), `detail shows the recipient: ${err.detail}`);
  assertNoSecret(err, SECRETS);
});

test('an error-text quoting the secret and the number is scrubbed before it reaches the detail', async () => {
  const err = await failure(connector().send(msg(TO.echoesSecret)));
  assert.equal(err.code, 'invalid_recipient');
  assert.match(err.detail ?? '', /Invalid to address \[number\] \(api_secret=\[redacted\]\)/);
  assertNoSecret(err, [...SECRETS, digits(TO.echoesSecret)]);
});

test('a recipient that is not a phone number is refused without a request', async () => {
  const before = seen.length;
  const err = await failure(connector().send(msg('not-a-number')));
  assert.equal(err.code, 'invalid_recipient');
  assert.equal(seen.length, before);
});

testHangTimeout('Vonage hanging past timeoutMs → unavailable', () => connector({ timeoutMs: 300 }).send(msg(TO.hang)), (err) => assertNoSecret(err, SECRETS));

testNothingListening((apiBaseUrl) => connector({ apiBaseUrl }).send(msg(TO.ok)), (err) => {
  assert.match(err.detail ?? '', /ECONNREFUSED/);
  assertNoSecret(err, SECRETS);
});
