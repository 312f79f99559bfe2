// The `textlocal` connector against a local fake of Textlocal's POST /send/: form fields and
// credentials (API key, or username + hash), success, error-code mapping (HTTP 200 failures),
// timeout, nothing listening, no secret in errors, and the config schema. Configs go through the
// connector's own configSchema (not yet in connectorSchema).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { configSchema } from '../../src/sms/connectors/textlocal/config.ts';
import { createTextlocalConnector } from '../../src/sms/connectors/textlocal/index.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testErrorMapping, testHangTimeout, testNothingListening, type MappedCase } from '../helpers/fake-provider.ts';

const hex = (n: number) => randomBytes(n / 2).toString('hex');
const API_KEY = 'NDc' + hex(40); // secret
const USERNAME = 'ops@example.com';
const HASH = hex(40); // secret
const SENDER = 'Flowgate';
const BODY = 'Your flowgate code is 493817';
/** Never in an error: the credentials, and the message text. */
const SECRETS = [API_KEY, HASH, BODY];

/** Recipients the fake treats specially (fictional UK 07700 900xxx drama numbers). */
const TO = {
  ok: '+447700900100',
  badAuth: '+447700900102',
  badFormat: '+447700900120',
  noValid: '+447700900121',
  dnd: '+447700900122',
  noCredit: '+447700900123',
  badSender: '+447700900124',
  template: '+447700900125',
  notNow: '+447700900126',
  tooMany: '+447700900127',
  down: '+447700900128',
  failureHtml: '+447700900129',
  notJson: '+447700900130',
  echoesKey: '+447700900131',
  hang: '+447700900199',
} as const;

interface Seen {
  method: string;
  path: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

type Failure = { errors: unknown; warnings?: unknown[] };
function failureAnswer(res: ServerResponse, body: Failure, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ...body, status: 'failure' }));
}

const LOGIN_FAILURE: Failure = { errors: [{ code: 3, message: 'Invalid login details' }] };
const digits = (to: string) => to.slice(1);

/** Scripted failures by `numbers`: Textlocal's answer bodies (HTTP 200 unless said otherwise). */
const failures: Record<string, Failure> = {
  [digits(TO.badFormat)]: { errors: [{ code: 32, message: 'Invalid number format' }] },
  [digits(TO.noValid)]: {
    warnings: [{ code: 3, message: 'Invalid number', numbers: digits(TO.noValid) }],
    errors: [{ code: 51, message: 'No valid numbers specified' }],
  },
  [digits(TO.dnd)]: {
    warnings: [{ message: 'Number is in DND', numbers: digits(TO.dnd) }],
    errors: [{ code: 51, message: 'No valid numbers specified' }],
  },
  [digits(TO.noCredit)]: { errors: [{ code: 7, message: 'Insufficient credits' }] },
  [digits(TO.badSender)]: { errors: [{ code: 43, message: 'Invalid sender name' }] },
  [digits(TO.template)]: { errors: [{ code: 80, message: 'Invalid template' }] },
  [digits(TO.notNow)]: { errors: [{ code: 192, message: 'You cannot send message at this time' }] },
  // Seen from Textlocal when its gateway failed: the error page inside `errors`, still HTTP 200.
  [digits(TO.failureHtml)]: { errors: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n' },
};

const fake = fakeProvider(handle);
const seen: Seen[] = [];
let batch = 900_000_000;

function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const params = new URLSearchParams(raw);
  const form = Object.fromEntries(params);
  seen.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], form });

  if (req.method !== 'POST' || req.url !== '/send/') { res.writeHead(404, { 'content-type': 'text/html' }); return res.end('<h1>Not Found</h1>'); }
  if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return failureAnswer(res, LOGIN_FAILURE);
  // Exactly one way to log in, each field once.
  const viaKey = params.getAll('apikey').length === 1 && params.get('apikey') === API_KEY && !params.has('username') && !params.has('hash');
  const viaLogin = !params.has('apikey') && params.getAll('username').length === 1 && params.get('username') === USERNAME
    && params.getAll('hash').length === 1 && params.get('hash') === HASH;
  if (!viaKey && !viaLogin) return failureAnswer(res, LOGIN_FAILURE);

  const numbers = form.numbers ?? '';
  if (!numbers) return failureAnswer(res, { errors: [{ code: 4, message: 'No recipients specified' }] });
  if (!/^[1-9][0-9]{5,14}$/.test(numbers)) return failureAnswer(res, { errors: [{ code: 32, message: 'Invalid number format' }] });
  if (!form.message) return failureAnswer(res, { errors: [{ code: 5, message: 'No message content' }] });
  if (!form.sender) return failureAnswer(res, { errors: [{ code: 44, message: 'No sender name specified' }] });

  if (numbers === digits(TO.hang)) return fake.hang(res);
  if (numbers === digits(TO.tooMany)) { res.writeHead(429, { 'content-type': 'text/plain' }); return res.end('Too Many Requests'); }
  if (numbers === digits(TO.down)) {
    res.writeHead(502, { 'content-type': 'text/html' });
    return res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
  }
  if (numbers === digits(TO.notJson)) { res.writeHead(200, { 'content-type': 'text/html' }); return res.end('<html>Sign in to the Wi-Fi</html>'); }
  // Not something Textlocal is known to do: checks the connector scrubs its own secrets anyway.
  if (numbers === digits(TO.echoesKey)) {
    return failureAnswer(res, { errors: [{ code: 6, message: `Message too long for ${params.get('apikey') ?? params.get('hash')}` }] });
  }
  const failure = failures[numbers];
  if (failure) return failureAnswer(res, failure);

  batch += 1;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    balance: 1162,
    batch_id: batch,
    cost: 1,
    num_messages: 1,
    message: { num_parts: 1, sender: form.sender, content: form.message },
    receipt_url: '',
    custom: '',
    messages: [{ id: String(1_151_000_000 + batch), recipient: Number(numbers) }],
    status: 'success',
  }));
}

const valid = (): Record<string, unknown> => ({ type: 'textlocal', apiKey: API_KEY, sender: SENDER, apiBaseUrl: fake.baseUrl, timeoutMs: 2_000 });

/** Built through the real config schema, so the test values are ones a user could configure. */
function connector(overrides: Record<string, unknown> = {}) {
  return createTextlocalConnector(configSchema.parse({ ...valid(), ...overrides }));
}

const msg = (to: string): SmsMessage => ({ to, body: BODY, usage: 'sign-in' });

test('sends with apiKey: POST /send/, form apikey/numbers (no +)/message/sender; returns the message id', async () => {
  const before = seen.length;
  const out = await connector().send(msg(TO.ok));
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/send/');
  assert.match(req.contentType ?? '', /^application\/x-www-form-urlencoded/);
  assert.deepEqual(req.form, { apikey: API_KEY, numbers: '447700900100', message: BODY, sender: SENDER });
  assert.match(out.providerMessageId ?? '', /^\d+$/);
});

test('returns the id Textlocal assigned (not a made-up one)', async () => {
  const a = await connector().send(msg(TO.ok));
  const b = await connector().send(msg(TO.ok));
  assert.notEqual(a.providerMessageId, b.providerMessageId);
});

test('sends with username + hash: no apikey field', async () => {
  const out = await connector({ apiKey: undefined, username: USERNAME, hash: HASH }).send(msg(TO.ok));
  const req = seen.at(-1)!;
  assert.deepEqual(req.form, { username: USERNAME, hash: HASH, numbers: '447700900100', message: BODY, sender: SENDER });
  assert.equal('apikey' in req.form, false);
  assert.match(out.providerMessageId ?? '', /^\d+$/);
});

test('a message with &, = and non-ASCII text arrives intact', async () => {
  const body = 'Code 4938 & more = ünïcödé ✓';
  await connector().send({ ...msg(TO.ok), body });
  assert.equal(seen.at(-1)!.form.message, body);
});

test('a wrong API key (HTTP 200, code 3) is invalid_config, and the wrong key is not in the error', async () => {
  const wrong = 'NDc' + hex(40);
  const err = await failure(connector({ apiKey: wrong }).send(msg(TO.badAuth)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=200 code=3 Invalid login details/);
  assertNoSecret(err, [...SECRETS, wrong]);
});

test('a wrong hash is invalid_config, and the wrong hash is not in the error', async () => {
  const wrong = hex(40);
  const err = await failure(connector({ apiKey: undefined, username: USERNAME, hash: wrong }).send(msg(TO.badAuth)));
  assert.equal(err.code, 'invalid_config');
  assertNoSecret(err, [...SECRETS, wrong]);
});

test('a number that is not international never reaches Textlocal → invalid_recipient', async () => {
  const before = seen.length;
  for (const to of ['', '07700900100x', '+0447700900100', 'not a number', '+4477009001000000']) {
    const err = await failure(connector().send(msg(to)));
    assert.equal(err.code, 'invalid_recipient');
    assertNoSecret(err, SECRETS);
  }
  assert.equal(seen.length, before, 'no request was made');
});

const mapped: MappedCase[] = [
  ['code 32 invalid number format', TO.badFormat, 'invalid_recipient', /status=200 code=32/],
  ['code 51 no valid numbers (invalid number warning)', TO.noValid, 'invalid_recipient', /code=51 .*warnings: Invalid number/],
  ['code 51 no valid numbers (number in DND)', TO.dnd, 'rejected', /code=51 .*warnings: Number is in DND/],
  ['code 7 insufficient credits', TO.noCredit, 'invalid_config', /code=7 Insufficient credits/],
  ['code 43 invalid sender name', TO.badSender, 'invalid_config', /code=43/],
  ['code 80 invalid template', TO.template, 'invalid_config', /code=80/],
  ['code 192 cannot send at this time', TO.notNow, 'unavailable', /code=192/],
  ['HTTP 429', TO.tooMany, 'rate_limited', /status=429/],
  ['HTTP 502 HTML', TO.down, 'unavailable', /status=502/],
  ['failure with an HTML page as `errors`', TO.failureHtml, 'unavailable', /errors not a list/],
  ['HTTP 200 that is not JSON', TO.notJson, 'unavailable', /non-JSON/],
  ['an error text quoting the credentials', TO.echoesKey, 'rejected', /code=6 .*\[redacted\]/],
];
testErrorMapping('Textlocal', mapped, (to) => connector().send(msg(to)), (err, to) => {
  assert.ok(!(err.detail ?? '').includes(digits(to)), `the recipient's number is not logged: ${err.detail}`);
  assertNoSecret(err, SECRETS);
});

test('an error text quoting the hash (username + hash login) → the hash is scrubbed', async () => {
  const err = await failure(connector({ apiKey: undefined, username: USERNAME, hash: HASH }).send(msg(TO.echoesKey)));
  assert.match(err.detail ?? '', /code=6 .*\[redacted\]/);
  assertNoSecret(err, SECRETS);
});

test('a wrong apiBaseUrl path (404) → invalid_config', async () => {
  const err = await failure(connector({ apiBaseUrl: `${fake.baseUrl}/v2` }).send(msg(TO.ok)));
  assert.equal(err.code, 'invalid_config');
  assertNoSecret(err, SECRETS);
});

testHangTimeout('Textlocal hanging past timeoutMs → unavailable', () => connector({ timeoutMs: 300 }).send(msg(TO.hang)), (err) => assertNoSecret(err, SECRETS));

testNothingListening((apiBaseUrl) => connector({ apiBaseUrl }).send(msg(TO.ok)), (err) => assertNoSecret(err, SECRETS));

test('config: defaults to the real API origin and a 5 s timeout', () => {
  const c = configSchema.parse({ type: 'textlocal', apiKey: API_KEY, sender: SENDER });
  assert.equal(c.apiBaseUrl, 'https://api.txtlocal.com');
  assert.equal(c.timeoutMs, 5_000);
});

test('config: refuses bad configs', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['no credentials', { apiKey: undefined }],
    ['both apiKey and username + hash', { username: USERNAME, hash: HASH }],
    ['both apiKey and username', { username: USERNAME }],
    ['both apiKey and hash', { hash: HASH }],
    ['username without hash', { apiKey: undefined, username: USERNAME }],
    ['hash without username', { apiKey: undefined, hash: HASH }],
    ['empty apiKey', { apiKey: '' }],
    ['no sender', { sender: undefined }],
    ['sender over 11 characters', { sender: 'FlowgateAuth' }],
    ['sender with punctuation', { sender: 'Flow-gate' }],
    ['apiBaseUrl not http(s)', { apiBaseUrl: 'file:///etc/passwd' }],
    ['timeout too large', { timeoutMs: 120_000 }],
    ['unknown key', { password: 'hunter2' }],
  ];
  for (const [name, overrides] of bad) {
    assert.equal(configSchema.safeParse({ ...valid(), ...overrides }).success, false, name);
  }
  assert.equal(configSchema.safeParse(valid()).success, true);
  assert.equal(configSchema.safeParse({ ...valid(), apiKey: undefined, username: USERNAME, hash: HASH }).success, true);
});
