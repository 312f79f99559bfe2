// The `aliyun` connector against a local fake of Alibaba Cloud's SendSms endpoint. The fake re-derives the
// RPC signature from the raw request by its own implementation of the documented rules (nothing from
// sign.ts), checks every required parameter, refuses reused nonces and stale timestamps, and replays
// Aliyun's documented error bodies (codes and body shape from the SendSms / common error-code pages).
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { configSchema, secretKeys } from '../../src/sms/connectors/aliyun/config.ts';
import { createAliyunConnector } from '../../src/sms/connectors/aliyun/index.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { assertNoSecret, failure, fakeProvider, testErrorMapping, testHangTimeout, testNothingListening, type MappedCase } from '../helpers/fake-provider.ts';

const ACCESS_KEY_ID = 'LTAI5t' + randomBytes(9).toString('hex');
const ACCESS_KEY_SECRET = 'sk' + randomBytes(15).toString('base64url'); // secret: must never show up in an error
const SIGN_NAME = '流门测试';
const TEMPLATE_CODE = 'SMS_154950909';
const CODE = '493817';
const BODY = `Your flowgate code is ${CODE}`;
/** No secret in anything an error shows; nor the message body or the code (bodies are never logged). */
const SECRETS = [ACCESS_KEY_SECRET, `${ACCESS_KEY_SECRET}&`, CODE, encodeURIComponent(BODY)];

/** Recipients (E.164) the fake treats specially, and what it then sees in PhoneNumbers. */
const TO = {
  cn: '+8613800000000',
  us: '+12025550100',
  tricky: '+8613800000001',
  custom: '+8613800000002',
  badKey: '+8613800000003',
  badSecret: '+8613800000004',
  minuteLimit: '+8613800000011',
  dayLimit: '+8613800000012',
  illegal: '+8613800000013',
  noMoney: '+8613800000014',
  badTemplate: '+8613800000015',
  badSign: '+8613800000016',
  systemError: '+8613800000017',
  throttled: '+8613800000018',
  downHtml: '+8613800000019',
  hang: '+8613800000099',
} as const;

// ---- the fake's own, independent, implementation of the documented signature rules -----------------
/** RFC 3986 with Aliyun's rules: encodeURIComponent, then also !'()* (never + for space). */
const popEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function expectedSignature(params: Map<string, string>, secret: string): { signature: string; stringToSign: string } {
  const names = [...params.keys()].filter((k) => k !== 'Signature').sort();
  const canonical = names.map((k) => `${popEncode(k)}=${popEncode(params.get(k)!)}`).join('&');
  const stringToSign = `GET&${popEncode('/')}&${popEncode(canonical)}`;
  return { signature: createHmac('sha1', secret + '&').update(stringToSign).digest('base64'), stringToSign };
}
/** Strict query parsing: %XX only (a literal + or space means the client encoded wrongly), no duplicates. */
function parseQuery(raw: string): Map<string, string> | string {
  const out = new Map<string, string>();
  for (const pair of raw.split('&')) {
    if (/[+ ]/.test(pair)) return `literal + or space in ${pair.split('=')[0]}`;
    const i = pair.indexOf('=');
    if (i < 1) return 'malformed pair';
    const [k, v] = [decodeURIComponent(pair.slice(0, i)), decodeURIComponent(pair.slice(i + 1))];
    if (out.has(k)) return `duplicate ${k}`;
    out.set(k, v);
  }
  return out;
}

interface Seen { method: string; path: string; params: Map<string, string>; }
const fake = fakeProvider(handle);
const seen: Seen[] = [];
const nonces = new Set<string>();
const requestId = () => `${randomBytes(4).toString('hex').toUpperCase()}-6B5C-4F6A-9C2E-${randomBytes(6).toString('hex').toUpperCase()}`;

function reply(res: ServerResponse, status: number, body: Record<string, unknown>) {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify({ RequestId: requestId(), ...body }));
}
/** Gateway-level error body (keys, signature, throttling, parameters). */
const gatewayError = (res: ServerResponse, status: number, Code: string, Message: string) =>
  reply(res, status, { HostId: 'dysmsapi.aliyuncs.com', Code, Message, Recommend: `https://api.aliyun.com/troubleshoot?q=${Code}&product=Dysmsapi` });

/** SendSms business errors: HTTP 200, `Code` not OK. */
const businessErrors: Record<string, [string, string]> = {
  '13800000011': ['isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1'],
  '13800000012': ['isv.DAY_LIMIT_CONTROL', '触发天级流控Permits:10'],
  '13800000013': ['isv.MOBILE_NUMBER_ILLEGAL', '非法手机号 13800000013'],
  '13800000014': ['isv.AMOUNT_NOT_ENOUGH', '账户余额不足'],
  '13800000015': ['isv.SMS_TEMPLATE_ILLEGAL', '模板不合法(不存在或被拉黑)'],
  '13800000016': ['isv.SMS_SIGNATURE_ILLEGAL', '签名不合法(不存在或被拉黑)'],
  '13800000017': ['isp.SYSTEM_ERROR', '系统错误'],
};

const REQUIRED = ['AccessKeyId', 'Action', 'Format', 'PhoneNumbers', 'RegionId', 'SignName', 'Signature', 'SignatureMethod',
  'SignatureNonce', 'SignatureVersion', 'TemplateCode', 'TemplateParam', 'Timestamp', 'Version'];

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const parsed = parseQuery(q < 0 ? '' : url.slice(q + 1));
  if (typeof parsed === 'string') return gatewayError(res, 400, 'InvalidParameter', `The request query is malformed: ${parsed}.`);
  const p = parsed;
  seen.push({ method: req.method ?? '', path, params: p });

  if (req.method !== 'GET' || path !== '/') return gatewayError(res, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  for (const name of REQUIRED) if (!p.get(name)) return gatewayError(res, 400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
  for (const name of p.keys()) if (!REQUIRED.includes(name)) return gatewayError(res, 400, 'InvalidParameter', `Unexpected parameter ${name}.`);
  if (p.get('Action') !== 'SendSms') return gatewayError(res, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  if (p.get('Version') !== '2017-05-25') return gatewayError(res, 400, 'InvalidVersion', 'Specified parameter Version is not valid.');
  if (p.get('Format') !== 'JSON') return gatewayError(res, 400, 'InvalidParameter', 'Format must be JSON for this client.');
  if (p.get('SignatureMethod') !== 'HMAC-SHA1' || p.get('SignatureVersion') !== '1.0') return gatewayError(res, 400, 'InvalidParameter', 'Unsupported signature method or version.');
  const ts = p.get('Timestamp')!;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(ts)) return gatewayError(res, 400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  if (Math.abs(Date.parse(ts) - Date.now()) > 15 * 60_000) return gatewayError(res, 400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  if (p.get('AccessKeyId') !== ACCESS_KEY_ID) return gatewayError(res, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const { signature, stringToSign } = expectedSignature(p, ACCESS_KEY_SECRET);
  if (p.get('Signature') !== signature) {
    // Aliyun echoes its own string to sign in this message (it contains the parameters, not the secret).
    return gatewayError(res, 400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
  }
  const nonce = p.get('SignatureNonce')!;
  if (nonces.has(nonce)) return gatewayError(res, 400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  nonces.add(nonce);

  const phone = p.get('PhoneNumbers')!;
  if (phone === '13800000018') return gatewayError(res, 400, 'Throttling.User', 'Request was denied due to user flow control.');
  if (phone === '13800000019') {
    res.writeHead(502, { 'content-type': 'text/html' });
    return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  }
  if (phone === '13800000099') return fake.hang(res);
  const failure = businessErrors[phone];
  if (failure) return reply(res, 200, { Code: failure[0], Message: failure[1] });
  reply(res, 200, { Code: 'OK', Message: 'OK', BizId: `${Date.now()}${randomBytes(3).readUIntBE(0, 3)}^0` });
}

/** Built through the connector's own config schema, so the test values are ones a user could configure. */
function connector(overrides: Record<string, unknown> = {}) {
  return createAliyunConnector(configSchema.parse({
    type: 'aliyun', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, signName: SIGN_NAME,
    templateCode: TEMPLATE_CODE, apiBaseUrl: fake.baseUrl, timeoutMs: 2_000, ...overrides,
  }));
}

const msg = (to: string, body = BODY): SmsMessage => ({ to, body, usage: 'sign-in' });

test('sends SendSms with exactly the documented parameters and returns the BizId', async () => {
  const before = seen.length;
  const out = await connector().send(msg(TO.cn));
  assert.equal(seen.length, before + 1, 'exactly one request');
  const req = seen.at(-1)!;
  assert.equal(req.method, 'GET');
  assert.equal(req.path, '/');
  const p = Object.fromEntries(req.params);
  assert.match(p.SignatureNonce!, /^[0-9a-f-]{36}$/);
  assert.match(p.Timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(p.Signature!, /^[A-Za-z0-9+/]{27}=$/);
  const { SignatureNonce: _n, Timestamp: _t, Signature: _s, ...fixed } = p;
  assert.deepEqual(fixed, {
    AccessKeyId: ACCESS_KEY_ID,
    Action: 'SendSms',
    Format: 'JSON',
    PhoneNumbers: '13800000000', // mainland China: the bare 11 digits
    RegionId: 'cn-hangzhou',
    SignName: SIGN_NAME,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    TemplateCode: TEMPLATE_CODE,
    TemplateParam: JSON.stringify({ content: BODY }),
    Version: '2017-05-25',
  });
  assert.match(out.providerMessageId ?? '', /^\d+\^0$/);
});

test('a number outside mainland China goes as country code + number without +', async () => {
  await connector().send(msg(TO.us));
  assert.equal(seen.at(-1)!.params.get('PhoneNumbers'), '12025550100');
});

test('a body with characters encodeURIComponent leaves alone, spaces, + and UTF-8 is signed right', async () => {
  const body = "Code 493817 (5 min) *don't* share! a+b=c & ~ü€😀 / 验证码";
  await connector().send(msg(TO.tricky, body));
  assert.deepEqual(JSON.parse(seen.at(-1)!.params.get('TemplateParam')!), { content: body });
});

test('bodyParam and regionId are configurable', async () => {
  await connector({ bodyParam: 'msg', regionId: 'ap-southeast-1' }).send(msg(TO.custom));
  const p = seen.at(-1)!.params;
  assert.equal(p.get('TemplateParam'), JSON.stringify({ msg: BODY }));
  assert.equal(p.get('RegionId'), 'ap-southeast-1');
});

test('each request has a fresh nonce, and separate sends each get a distinct BizId', async () => {
  const c = connector();
  const a = await c.send(msg(TO.cn));
  const b = await c.send(msg(TO.cn));
  const [x, y] = seen.slice(-2).map((s) => s.params.get('SignatureNonce'));
  assert.notEqual(x, y);
  assert.notEqual(a.providerMessageId, b.providerMessageId);
});

test('an unknown AccessKeyId is invalid_config', async () => {
  const err = await failure(connector({ accessKeyId: 'LTAI5tUnknownKey000' }).send(msg(TO.badKey)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=404 code=InvalidAccessKeyId\.NotFound/);
  assertNoSecret(err, SECRETS);
});

test('a wrong AccessKeySecret is invalid_config; neither secret, nor the echoed string to sign, reaches the error', async () => {
  const wrong = 'sk' + randomBytes(15).toString('base64url');
  const err = await failure(connector({ accessKeySecret: wrong }).send(msg(TO.badSecret)));
  assert.equal(err.code, 'invalid_config');
  assert.match(err.detail ?? '', /status=400 code=SignatureDoesNotMatch/);
  assert.doesNotMatch(err.detail ?? '', /string to sign|TemplateParam|13800000004/);
  assertNoSecret(err, [...SECRETS, wrong, `${wrong}&`]);
});

const mapped: MappedCase[] = [
  ['isv.BUSINESS_LIMIT_CONTROL', TO.minuteLimit, 'rate_limited', /status=200 code=isv\.BUSINESS_LIMIT_CONTROL/],
  ['isv.DAY_LIMIT_CONTROL', TO.dayLimit, 'rate_limited', /code=isv\.DAY_LIMIT_CONTROL/],
  ['isv.MOBILE_NUMBER_ILLEGAL', TO.illegal, 'invalid_recipient', /code=isv\.MOBILE_NUMBER_ILLEGAL/],
  ['isv.AMOUNT_NOT_ENOUGH', TO.noMoney, 'invalid_config', /code=isv\.AMOUNT_NOT_ENOUGH/],
  ['isv.SMS_TEMPLATE_ILLEGAL', TO.badTemplate, 'invalid_config', /code=isv\.SMS_TEMPLATE_ILLEGAL/],
  ['isv.SMS_SIGNATURE_ILLEGAL', TO.badSign, 'invalid_config', /code=isv\.SMS_SIGNATURE_ILLEGAL/],
  ['isp.SYSTEM_ERROR', TO.systemError, 'unavailable', /code=isp\.SYSTEM_ERROR/],
  ['400 Throttling.User', TO.throttled, 'rate_limited', /status=400 code=Throttling\.User/],
  ['502 HTML from a load balancer', TO.downHtml, 'unavailable', /status=502/],
];
testErrorMapping('Aliyun', mapped, (to) => connector().send(msg(to)), (err) => {
  assert.doesNotMatch(err.detail ?? '', /1380000\d{4}/, 'numbers are masked in the detail');
  assertNoSecret(err, SECRETS);
});

test('a recipient that is not E.164 is invalid_recipient without a request', async () => {
  const before = seen.length;
  const err = await failure(connector().send(msg('13800000000')));
  assert.equal(err.code, 'invalid_recipient');
  assert.equal(seen.length, before);
});

testHangTimeout('Aliyun hanging past timeoutMs → unavailable', () => connector({ timeoutMs: 300 }).send(msg(TO.hang)), (err) => assertNoSecret(err, SECRETS));

testNothingListening((apiBaseUrl) => connector({ apiBaseUrl }).send(msg(TO.cn)), (err) => assertNoSecret(err, SECRETS));

test('config: strict, secret declared, template code checked, defaults applied', () => {
  assert.deepEqual([...secretKeys], ['accessKeySecret']);
  const base = { type: 'aliyun', accessKeyId: 'a', accessKeySecret: 's', signName: 'n', templateCode: 'SMS_1' };
  const parsed = configSchema.parse(base);
  assert.equal(parsed.bodyParam, 'content');
  assert.equal(parsed.regionId, 'cn-hangzhou');
  assert.equal(parsed.timeoutMs, 5_000);
  assert.equal(configSchema.safeParse({ ...base, extra: 1 }).success, false);
  assert.equal(configSchema.safeParse({ ...base, templateCode: '154950909' }).success, false);
  assert.equal(configSchema.safeParse({ ...base, bodyParam: 'has space' }).success, false);
  const { accessKeySecret: _omit, ...noSecret } = base;
  assert.equal(configSchema.safeParse(noSecret).success, false);
});
