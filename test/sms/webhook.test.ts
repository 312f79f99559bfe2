// The generic `webhook` connector against a local fake HTTP API: JSON and form bodies, GET query strings,
// basic and bearer auth, template checks at load, status mapping, timeouts, and no secret in errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { configSchema, secretKeys, type WebhookConfig } from '../../src/sms/connectors/webhook/config.ts';
import { createWebhookConnector } from '../../src/sms/connectors/webhook/index.ts';
import type { SmsErrorCode, SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testHangTimeout, testNothingListening } from '../helpers/fake-provider.ts';

const secret = (prefix: string) => prefix + randomBytes(12).toString('hex');
const PASSWORD = secret('pw'); // secrets: must never show up in an error
const TOKEN = secret('tk');
const API_KEY_HEADER = secret('hk');
const USERNAME = 'flowgate';
const BASIC = 'Basic ' + Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');

const TO = '+12025550100';
const BODY = 'Your flowgate code is 123456';
/** Never in an error: the credentials, the message text and code, the recipient. */
const SECRETS = [PASSWORD, TOKEN, API_KEY_HEADER, BASIC.slice(6), BODY, '123456', TO, TO.slice(1)];

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  raw: string;
}

const fake = fakeProvider(handle);
const seen: Seen[] = [];

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const url = new URL(req.url ?? '/', 'http://fake');
  seen.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw });
  const status = /^\/status\/(\d{3})$/.exec(url.pathname);
  if (status) {
    // A provider that quotes the whole request back in its error: every secret and the message are in it.
    return json(res, Number(status[1]), {
      error: 'request refused', authorization: req.headers.authorization ?? null, apiKey: req.headers['x-api-key'] ?? null, request: raw,
    });
  }
  switch (url.pathname) {
    case '/v1/messages':
      return json(res, 201, { data: { id: 'msg_' + randomBytes(8).toString('hex'), status: 'queued' } });
    case '/plain':
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('OK');
    case '/redirect':
      res.writeHead(307, { location: '/v1/messages' });
      return res.end();
    case '/html-503':
      res.writeHead(503, { 'content-type': 'text/html' });
      return res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    case '/hang':
      return fake.hang(res);
    default:
      return json(res, 404, { error: 'not found' });
  }
}

const TEMPLATE = { recipient: '{{to}}', text: '{{body}}', kind: '{{usage}}', lang: '{{locale}}', sender: 'Flowgate' };

function parse(overrides: Record<string, unknown> = {}): WebhookConfig {
  return configSchema.parse({
    type: 'webhook', url: `${fake.baseUrl}/v1/messages`, bodyTemplate: TEMPLATE, timeoutMs: 2_000, ...overrides,
  });
}
/** Built through the connector's config schema, so the test values are ones a user could configure. */
const connector = (overrides: Record<string, unknown> = {}) => createWebhookConnector(parse(overrides));

const msg = (body = BODY, locale: string | null = 'de-CH'): SmsMessage => ({ to: TO, body, usage: 'sign-in', ...(locale ? { locale } : {}) });

function issues(config: Record<string, unknown>): string[] {
  const r = configSchema.safeParse({ type: 'webhook', url: `${fake.baseUrl}/v1/messages`, bodyTemplate: TEMPLATE, ...config });
  assert.equal(r.success, false, 'expected the config to be refused');
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('config: secret keys, defaults', () => {
  assert.deepEqual([...secretKeys], ['auth', 'headers']);
  const c = parse();
  assert.equal(c.method, 'POST');
  assert.equal(c.bodyFormat, 'json');
  assert.equal(c.auth, 'none');
  assert.deepEqual(c.headers, {});
  assert.equal(c.timeoutMs, 2_000);
  assert.equal(c.successStatus, undefined);
});

test('POST JSON (default): exact body of rendered fields, extra header, no auth; id from messageIdPath', async () => {
  const before = seen.length;
  const out = await connector({ headers: { 'X-Api-Key': API_KEY_HEADER }, messageIdPath: 'data.id' }).send(msg());
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v1/messages');
  assert.deepEqual(req.query, {});
  assert.match(req.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(req.headers['x-api-key'], API_KEY_HEADER);
  assert.equal(req.headers.authorization, undefined);
  assert.deepEqual(JSON.parse(req.raw), { recipient: TO, text: BODY, kind: 'sign-in', lang: 'de-CH', sender: 'Flowgate' });
  assert.match(out.providerMessageId ?? '', /^msg_[0-9a-f]{16}$/);
});

test('values are sent verbatim (no HTML escaping) and a missing locale renders as empty', async () => {
  const body = `Code <123456> & "quotes" 'too' {{not a template}}`;
  await connector({ bodyTemplate: { to: '{{to}}', text: 'Flowgate: {{body}}', lang: '{{locale}}' } }).send(msg(body, null));
  assert.deepEqual(JSON.parse(seen.at(-1)!.raw), { to: TO, text: `Flowgate: ${body}`, lang: '' });
});

test('POST form with basic auth: urlencoded fields and the exact Authorization header', async () => {
  const out = await connector({ bodyFormat: 'form', auth: { basic: { username: USERNAME, password: PASSWORD } } }).send(msg('Grüße: 123456 + 1 = ?&x'));
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v1/messages');
  assert.match(req.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
  assert.equal(req.headers.authorization, BASIC);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(req.raw)), { recipient: TO, text: 'Grüße: 123456 + 1 = ?&x', kind: 'sign-in', lang: 'de-CH', sender: 'Flowgate' });
  assert.equal(out.providerMessageId, undefined, 'no messageIdPath configured');
});

test('PUT JSON with bearer auth', async () => {
  await connector({ method: 'PUT', auth: { bearer: TOKEN } }).send(msg());
  const req = seen.at(-1)!;
  assert.equal(req.method, 'PUT');
  assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  assert.deepEqual(JSON.parse(req.raw), { recipient: TO, text: BODY, kind: 'sign-in', lang: 'de-CH', sender: 'Flowgate' });
});

test('GET: fields go in the query string (kept with the URL\'s own parameters), no body; bearer auth', async () => {
  await connector({ method: 'GET', url: `${fake.baseUrl}/v1/messages?ver=1.0&fmt=json`, auth: { bearer: TOKEN } }).send(msg('Code 123456 & more'));
  const req = seen.at(-1)!;
  assert.equal(req.method, 'GET');
  assert.equal(req.path, '/v1/messages');
  assert.deepEqual(req.query, { ver: '1.0', fmt: 'json', recipient: TO, text: 'Code 123456 & more', kind: 'sign-in', lang: 'de-CH', sender: 'Flowgate' });
  assert.equal(req.raw, '');
  assert.equal(req.headers['content-type'], undefined);
  assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
});

test('GET with basic auth', async () => {
  await connector({ method: 'GET', auth: { basic: { username: USERNAME, password: PASSWORD } } }).send(msg());
  const req = seen.at(-1)!;
  assert.equal(req.method, 'GET');
  assert.equal(req.headers.authorization, BASIC);
  assert.equal(req.query.recipient, TO);
});

test('messageIdPath: only own properties; a missing path or a non-JSON answer gives no id (the send still succeeds)', async () => {
  assert.equal((await connector({ messageIdPath: 'data.missing' }).send(msg())).providerMessageId, undefined);
  assert.equal((await connector({ messageIdPath: 'data.constructor.name' }).send(msg())).providerMessageId, undefined);
  assert.equal((await connector({ messageIdPath: 'data.status' }).send(msg())).providerMessageId, 'queued');
  assert.equal((await connector({ url: `${fake.baseUrl}/plain`, messageIdPath: 'id' }).send(msg())).providerMessageId, undefined);
});

test('templates naming anything but to/body/usage/locale are refused at load with a clear message', () => {
  const allowed = /allowed: \{\{to\}\}, \{\{body\}\}, \{\{usage\}\}, \{\{locale\}\}/;
  const refused: [string, RegExp][] = [
    ['{{process}}', /bodyTemplate\.text: template: unknown variable or expression 'process'/],
    ['{{constructor.constructor}}', /bodyTemplate\.text: template: unknown variable or expression 'constructor\.constructor'/],
    ['{{body.constructor}}', /unknown variable or expression 'body\.constructor'/],
    ['{{@root.body}}', /unknown variable or expression '@root\.body'/],
    ['{{../body}}', /unknown variable or expression '\.\.\/body'/],
    ["{{lookup body 'length'}}", /unknown variable or expression 'lookup'/],
    ['{{body to}}', /unknown variable or expression 'body'/],
  ];
  for (const [template, message] of refused) {
    const got = issues({ bodyTemplate: { to: '{{to}}', text: template } });
    assert.equal(got.length, 1, `${template}: ${got.join('; ')}`);
    assert.match(got[0]!, message);
    assert.match(got[0]!, allowed);
  }
  assert.match(issues({ bodyTemplate: { to: '{{to}}', text: '{{{body}}}' } })[0]!, /use \{\{body\}\}, not triple braces/);
  assert.match(issues({ bodyTemplate: { to: '{{to}}', text: '{{&body}}' } })[0]!, /use \{\{body\}\}, not triple braces/);
  assert.match(issues({ bodyTemplate: { to: '{{to}}', text: '{{#if body}}{{body}}{{/if}}' } })[0]!, /'BlockStatement' .* is not allowed/);
  assert.match(issues({ bodyTemplate: { to: '{{to}}', text: '{{> evil}}{{body}}' } })[0]!, /'PartialStatement' .* is not allowed/);
  assert.match(issues({ bodyTemplate: { to: '{{to}}', text: '{{body' } })[0]!, /bodyTemplate\.text: template: does not compile/);
  assert.match(issues({ bodyTemplate: { to: '{{to}}' } })[0]!, /no field uses \{\{body\}\}/);
  // Comments, whitespace control, this.-prefixed names and literal text are fine.
  assert.doesNotThrow(() => parse({ bodyTemplate: { to: '{{~ this.to ~}}', text: '{{! note }}Code: {{body}}', static: 'x' } }));
});

test('other config mistakes are refused with a clear message', () => {
  assert.match(issues({ url: 'https://user:pass@sms.example/send' }).join(), /url: must not contain credentials; use `auth\.basic`/);
  assert.match(issues({ url: 'ftp://sms.example/send' }).join(), /url: must be an http/);
  assert.match(issues({ method: 'DELETE' }).join(), /method/);
  assert.match(issues({ headers: { 'Content-Type': 'text/plain' } }).join(), /headers\.Content-Type: .*set by the connector/);
  assert.match(issues({ headers: { 'X-Key': 'a\r\nInjected: 1' } }).join(), /headers\.X-Key: must not contain line breaks/);
  assert.match(issues({ headers: { Authorization: `Token ${TOKEN}` }, auth: { bearer: TOKEN } }).join(), /headers: an Authorization header conflicts with `auth`/);
  assert.match(issues({ auth: { basic: { username: 'a:b', password: PASSWORD } } }).join(), /auth\.basic\.username: must not contain `:`/);
  assert.match(issues({ auth: 'basic' }).join(), /`auth` must be 'none', \{ basic: \{ username, password \} \} or \{ bearer: token \}/);
  assert.match(issues({ messageIdPath: 'data..id' }).join(), /messageIdPath: must be a dot path/);
  assert.match(issues({ extra: true }).join(), /extra/);
  // A configured Authorization header without `auth` is allowed (providers with their own scheme).
  assert.doesNotThrow(() => parse({ headers: { Authorization: `Token ${TOKEN}` } }));
});

test('a config built by hand (not through the schema) with a bad template is refused too', () => {
  assert.throws(() => createWebhookConnector({ ...parse(), bodyTemplate: { to: '{{to}}', text: '{{constructor.constructor}}' } }), /unknown variable/);
});

/** [response status, our code] */
const mapped: [number, SmsErrorCode][] = [
  [400, 'rejected'], [422, 'rejected'], [401, 'invalid_config'], [403, 'invalid_config'], [404, 'invalid_config'],
  [429, 'rate_limited'], [500, 'unavailable'], [502, 'unavailable'], [503, 'unavailable'],
];
for (const [status, code] of mapped) {
  test(`HTTP ${status} → ${code}; the echoed request (secrets, body, number) is scrubbed from the detail`, async () => {
    const err = await failure(connector({
      url: `${fake.baseUrl}/status/${status}`, headers: { 'X-Api-Key': API_KEY_HEADER }, auth: { basic: { username: USERNAME, password: PASSWORD } },
    }).send(msg()));
    assert.equal(err.code, code);
    assert.match(err.detail ?? '', new RegExp(`^webhook: POST 127\\.0\\.0\\.1:\\d+ status=${status} .*request refused`));
    assertNoSecret(err, SECRETS);
  });
}

test('bearer token echoed in a 401 is scrubbed as well', async () => {
  const err = await failure(connector({ url: `${fake.baseUrl}/status/401`, bodyFormat: 'form', auth: { bearer: TOKEN } }).send(msg()));
  assert.equal(err.code, 'invalid_config');
  assertNoSecret(err, SECRETS);
});

test('a 503 HTML page → unavailable', async () => {
  const err = await failure(connector({ url: `${fake.baseUrl}/html-503` }).send(msg()));
  assert.equal(err.code, 'unavailable');
  assert.match(err.detail ?? '', /status=503/);
});

test('successStatus: only the listed statuses count as accepted', async () => {
  assert.deepEqual(await connector({ successStatus: 201 }).send(msg()), {});
  assert.deepEqual(await connector({ successStatus: [200, 201], messageIdPath: 'data.id' }).send(msg()).then((r) => Object.keys(r)), ['providerMessageId']);
  const err = await failure(connector({ successStatus: 202 }).send(msg()));
  assert.equal(err.code, 'rejected');
  assert.match(err.detail ?? '', /status=201/);
  assertNoSecret(err, SECRETS);
});

test('a redirect is not followed (secrets stay with the configured URL) → invalid_config', async () => {
  const before = seen.length;
  const err = await failure(connector({ url: `${fake.baseUrl}/redirect`, auth: { bearer: TOKEN } }).send(msg()));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=307/);
  assert.equal(seen.length, before + 1, 'the redirect target was not requested');
});

test('the URL (which may carry a key) is not in the detail', async () => {
  const key = secret('uk');
  const err = await failure(connector({ url: `${fake.baseUrl}/status/400?key=${key}` }).send(msg()));
  assert.equal(err.code, 'rejected');
  assert.ok(!(err.detail ?? '').includes(key));
});

testHangTimeout(
  'hanging past timeoutMs → unavailable',
  () => connector({ url: `${fake.baseUrl}/hang`, timeoutMs: 300, auth: { bearer: TOKEN }, headers: { 'X-Api-Key': API_KEY_HEADER } }).send(msg()),
  (err) => assertNoSecret(err, SECRETS),
);

testNothingListening(
  (base) => connector({ url: `${base}/send`, auth: { basic: { username: USERNAME, password: PASSWORD } }, headers: { 'X-Api-Key': API_KEY_HEADER } }).send(msg()),
  (err) => {
    assert.match(err.detail ?? '', /ECONNREFUSED/);
    assertNoSecret(err, SECRETS);
  },
);
