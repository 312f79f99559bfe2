// The `tencent` connector against a local fake of Tencent Cloud's SMS API 3.0 endpoint. The fake re-derives
// the TC3-HMAC-SHA256 signature from the raw request (headers named in SignedHeaders, the exact body bytes)
// with its own implementation of the documented steps (nothing from sign.ts), checks every required header
// and body field, refuses stale timestamps, and replays Tencent's documented responses: Response.Error for
// request failures (HTTP 200), per-number Code in SendStatusSet. Codes and shapes are from the SendSms,
// common error-code and SMS error-code pages; the English message texts are paraphrased.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { configSchema, secretKeys } from '../../src/sms/connectors/tencent/config.ts';
import { createTencentConnector } from '../../src/sms/connectors/tencent/index.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testErrorMapping, testHangTimeout, testNothingListening, type MappedCase } from '../helpers/fake-provider.ts';

const SECRET_ID = 'AKID' + randomBytes(16).toString('hex');
const SECRET_KEY = randomBytes(16).toString('hex'); // secret: must never show up in an error
const SDK_APP_ID = '1400006666';
const TEMPLATE_ID = '1110';
const SIGN_NAME = '腾讯云';
const CODE = '582014';
const BODY = `Your flowgate code is ${CODE}`;
/** No secret in anything an error shows; nor the message body or the code (bodies are never logged). */
const SECRETS = [SECRET_KEY, 'TC3' + SECRET_KEY, CODE];

const TO = {
  ok: '+8613800000000',
  intl: '+12025550100',
  tricky: '+8613800000001',
  badId: '+8613800000003',
  badKey: '+8613800000004',
  daily: '+8613800000011',
  incorrect: '+8613800000012',
  balance: '+8613800000013',
  innerTimeout: '+8613800000014',
  blacklist: '+8613800000015',
  reqLimit: '+8613800000016',
  internal: '+8613800000017',
  downHtml: '+8613800000019',
  hang: '+8613800000099',
} as const;

// ---- the fake's own, independent, implementation of the documented TC3 steps ------------------------
const hexSha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const mac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
function tc3Expected(req: IncomingMessage, raw: Buffer, signedHeaders: string[], timestamp: string, date: string): string {
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${String(req.headers[h] ?? '').trim().toLowerCase()}\n`).join('');
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders.join(';')}\n${hexSha256(raw)}`;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/sms/tc3_request\n${hexSha256(canonicalRequest)}`;
  const kSigning = mac(mac(mac('TC3' + SECRET_KEY, date), 'sms'), 'tc3_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

interface Seen { method: string; path: string; headers: IncomingMessage['headers']; body: Record<string, unknown>; }
const fake = fakeProvider(handle);
const seen: Seen[] = [];

function respond(res: ServerResponse, response: Record<string, unknown>) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ Response: { ...response, RequestId: randomUUID() } }));
}
const apiError = (res: ServerResponse, Code: string, Message: string) => respond(res, { Error: { Code, Message } });
const status = (phone: string, Code: string, Message: string, SerialNo = '') =>
  ({ SerialNo, PhoneNumber: phone, Fee: Code === 'Ok' ? 1 : 0, SessionContext: '', Code, Message, IsoCode: phone.startsWith('+86') ? 'CN' : 'US' });

const perNumber: Record<string, [string, string]> = {
  [TO.daily]: ['LimitExceeded.PhoneNumberDailyLimit', `The number of SMS messages sent to ${TO.daily} today exceeds the daily limit.`],
  [TO.incorrect]: ['InvalidParameterValue.IncorrectPhoneNumber', 'Invalid mobile number format.'],
  [TO.balance]: ['FailedOperation.InsufficientBalanceInSmsPackage', 'Insufficient balance in the SMS package.'],
  [TO.innerTimeout]: ['InternalError.Timeout', 'Request timed out while delivering the SMS.'],
  [TO.blacklist]: ['FailedOperation.PhoneNumberInBlacklist', 'The mobile number is in the blocklist (unsubscribed).'],
};

const AUTH = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

function handle(req: IncomingMessage, res: ServerResponse, text: string, raw: Buffer) {
  let body: Record<string, unknown> = {};
  try { body = JSON.parse(text) as Record<string, unknown>; } catch { /* checked below */ }
  seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });

  if (req.method !== 'POST' || req.url !== '/') return apiError(res, 'InvalidAction', 'The requested action does not exist.');
  if (req.headers['content-type'] !== 'application/json; charset=utf-8') return apiError(res, 'InvalidParameter', 'Content-Type must be application/json; charset=utf-8.');
  if (req.headers['x-tc-action'] !== 'SendSms') return apiError(res, 'InvalidAction', 'The requested action does not exist.');
  if (req.headers['x-tc-version'] !== '2021-01-11') return apiError(res, 'NoSuchVersion', 'The API version does not exist.');
  if (!req.headers['x-tc-region']) return apiError(res, 'MissingParameter', 'The request is missing a required parameter `Region`.');
  const timestamp = String(req.headers['x-tc-timestamp'] ?? '');
  if (!/^\d{10}$/.test(timestamp)) return apiError(res, 'InvalidParameter', 'X-TC-Timestamp is not a Unix timestamp.');
  if (Math.abs(Number(timestamp) - Date.now() / 1000) > 300) return apiError(res, 'AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.');

  const m = AUTH.exec(String(req.headers.authorization ?? ''));
  if (!m) return apiError(res, 'AuthFailure.InvalidAuthorization', 'The Authorization header does not conform to Tencent Cloud standards.');
  const [, secretId, date, service, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string];
  const signedHeaders = signedHeaderList.split(';');
  if (secretId !== SECRET_ID) return apiError(res, 'AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
  const utcDate = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
  if (service !== 'sms' || date !== utcDate || !signedHeaders.includes('content-type') || !signedHeaders.includes('host')
    || signature !== tc3Expected(req, raw, signedHeaders, timestamp, date)) {
    return apiError(res, 'AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
  }

  const allowed = ['PhoneNumberSet', 'SmsSdkAppId', 'SignName', 'TemplateId', 'TemplateParamSet'];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) return apiError(res, 'UnknownParameter', `The parameter \`${k}\` is not recognized.`);
  const phones = body.PhoneNumberSet;
  if (!Array.isArray(phones) || phones.length !== 1 || typeof phones[0] !== 'string') return apiError(res, 'MissingParameter', 'The request is missing a required parameter `PhoneNumberSet`.');
  if (typeof body.TemplateId !== 'string' || typeof body.SmsSdkAppId !== 'string') return apiError(res, 'MissingParameter', 'The request is missing a required parameter.');
  if (body.SmsSdkAppId !== SDK_APP_ID) return apiError(res, 'InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId does not exist.');
  const params = body.TemplateParamSet;
  if (!Array.isArray(params) || params.length !== 1 || typeof params[0] !== 'string') return apiError(res, 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate', 'The template parameters do not match the approved template.');

  const phone = phones[0] as string;
  if (phone === TO.reqLimit) return apiError(res, 'RequestLimitExceeded', 'Your current request is too frequent. Please try again later.');
  if (phone === TO.internal) return apiError(res, 'InternalError', 'An internal error has occurred. Retry your request.');
  if (phone === TO.downHtml) {
    res.writeHead(502, { 'content-type': 'text/html' });
    return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  }
  if (phone === TO.hang) return fake.hang(res);
  const fail = perNumber[phone];
  if (fail) return respond(res, { SendStatusSet: [status(phone, ...fail)] });
  respond(res, { SendStatusSet: [status(phone, 'Ok', 'send success', `5000:${randomBytes(12).readBigUInt64BE()}`)] });
}

/** Built through the connector's own config schema, so the test values are ones a user could configure. */
function connector(overrides: Record<string, unknown> = {}) {
  return createTencentConnector(configSchema.parse({
    type: 'tencent', secretId: SECRET_ID, secretKey: SECRET_KEY, smsSdkAppId: SDK_APP_ID, templateId: TEMPLATE_ID,
    signName: SIGN_NAME, apiBaseUrl: fake.baseUrl, timeoutMs: 2_000, ...overrides,
  }));
}

const msg = (to: string, body = BODY): SmsMessage => ({ to, body, usage: 'sign-in' });

test('sends SendSms: signed headers, exactly the documented body, returns the SerialNo', async () => {
  const before = seen.length;
  const out = await connector().send(msg(TO.ok));
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/');
  assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(req.headers.host, new URL(fake.baseUrl).host);
  assert.equal(req.headers['x-tc-action'], 'SendSms');
  assert.equal(req.headers['x-tc-version'], '2021-01-11');
  assert.equal(req.headers['x-tc-region'], 'ap-guangzhou');
  assert.match(String(req.headers['x-tc-timestamp']), /^\d{10}$/);
  assert.match(String(req.headers.authorization), new RegExp(`^TC3-HMAC-SHA256 Credential=${SECRET_ID}/\\d{4}-\\d\\d-\\d\\d/sms/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$`));
  assert.deepEqual(req.body, {
    PhoneNumberSet: [TO.ok],
    SmsSdkAppId: SDK_APP_ID,
    SignName: SIGN_NAME,
    TemplateId: TEMPLATE_ID,
    TemplateParamSet: [BODY],
  });
  assert.match(out.providerMessageId ?? '', /^5000:\d+$/);
});

test('without signName the body has no SignName; region is configurable; numbers stay E.164', async () => {
  await connector({ signName: undefined, region: 'ap-beijing' }).send(msg(TO.intl));
  const req = seen.at(-1)!;
  assert.equal('SignName' in req.body, false);
  assert.equal(req.headers['x-tc-region'], 'ap-beijing');
  assert.deepEqual(req.body.PhoneNumberSet, [TO.intl]);
});

test('a body with quotes, escapes, emoji and CJK is hashed over the exact bytes sent', async () => {
  const body = 'Code 582014 "quoted" \\ back\nslash ~ü€😀 验证码';
  await connector().send(msg(TO.tricky, body));
  assert.deepEqual(seen.at(-1)!.body.TemplateParamSet, [body]);
});

test('an unknown SecretId is invalid_config', async () => {
  const err = await failure(connector({ secretId: 'AKIDunknown' }).send(msg(TO.badId)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /code=AuthFailure\.SecretIdNotFound/);
  assertNoSecret(err, SECRETS);
});

test('a wrong SecretKey is invalid_config, and neither key is in the error', async () => {
  const wrong = randomBytes(16).toString('hex');
  const err = await failure(connector({ secretKey: wrong }).send(msg(TO.badKey)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=200 code=AuthFailure\.SignatureFailure requestId=/);
  assertNoSecret(err, [...SECRETS, wrong, 'TC3' + wrong]);
});

const mapped: MappedCase[] = [
  ['per-number LimitExceeded.PhoneNumberDailyLimit', TO.daily, 'rate_limited', /code=LimitExceeded\.PhoneNumberDailyLimit \(recipient status\)/],
  ['per-number InvalidParameterValue.IncorrectPhoneNumber', TO.incorrect, 'invalid_recipient', /code=InvalidParameterValue\.IncorrectPhoneNumber/],
  ['per-number FailedOperation.InsufficientBalanceInSmsPackage', TO.balance, 'invalid_config', /code=FailedOperation\.InsufficientBalanceInSmsPackage/],
  ['per-number InternalError.Timeout', TO.innerTimeout, 'unavailable', /code=InternalError\.Timeout/],
  ['per-number FailedOperation.PhoneNumberInBlacklist', TO.blacklist, 'rejected', /code=FailedOperation\.PhoneNumberInBlacklist/],
  ['RequestLimitExceeded', TO.reqLimit, 'rate_limited', /code=RequestLimitExceeded requestId=/],
  ['InternalError', TO.internal, 'unavailable', /code=InternalError requestId=/],
  ['502 HTML from a load balancer', TO.downHtml, 'unavailable', /status=502/],
];
testErrorMapping('Tencent', mapped, (to) => connector().send(msg(to)), (err) => {
  assert.doesNotMatch(err.detail ?? '', /1380000\d{4}/, 'numbers are masked in the detail');
  assertNoSecret(err, SECRETS);
});

test('a recipient that is not E.164 is invalid_recipient without a request', async () => {
  const before = seen.length;
  const err = await failure(connector().send(msg('13800000000')));
  assert.equal(err.code, 'invalid_recipient');
  assert.equal(seen.length, before);
});

testHangTimeout('Tencent hanging past timeoutMs → unavailable', () => connector({ timeoutMs: 300 }).send(msg(TO.hang)), (err) => assertNoSecret(err, SECRETS));

testNothingListening((apiBaseUrl) => connector({ apiBaseUrl }).send(msg(TO.ok)), (err) => assertNoSecret(err, SECRETS));

test('config: strict, secret declared, ids checked, defaults applied', () => {
  assert.deepEqual([...secretKeys], ['secretKey']);
  const base = { type: 'tencent', secretId: 'AKID1', secretKey: 'k', smsSdkAppId: '1400006666', templateId: '1110' };
  const parsed = configSchema.parse(base);
  assert.equal(parsed.region, 'ap-guangzhou');
  assert.equal(parsed.timeoutMs, 5_000);
  assert.equal(parsed.signName, undefined);
  assert.equal(configSchema.safeParse({ ...base, extra: 1 }).success, false);
  assert.equal(configSchema.safeParse({ ...base, smsSdkAppId: 'app' }).success, false);
  assert.equal(configSchema.safeParse({ ...base, templateId: 'T1' }).success, false);
  const { secretKey: _omit, ...noSecret } = base;
  assert.equal(configSchema.safeParse(noSecret).success, false);
});
