// TC3-HMAC-SHA256 signing (src/sms/connectors/tencent/sign.ts) checked against Tencent Cloud's own
// worked example: "Signature v3" of the API 3.0 docs (e.g. the SMS product's copy,
// https://www.tencentcloud.com/document/product/382/40467, and the same page of every other product):
// CVM DescribeInstances in ap-guangzhou, X-TC-Timestamp 1551113065, payload
//   {"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}
// (the \u escapes are literal characters of the body). The page has been published with two key pairs:
//   - SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE / SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE
//     → Signature 72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168
//   - the current, masked AKIDz8krbsJ5yKBZQpn74WFkmLPx3******* / Gu5t9xGARNpq86cd98joQYCN3*******
//     (used literally, asterisks included) → Signature 2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c
// Both give payload hash 35e9c5b0… and canonical-request hash 5ffe6a04… (also printed in the page).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signTc3, tc3Date } from '../../src/sms/connectors/tencent/sign.ts';

const PAYLOAD = String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`;
const example = { service: 'cvm', host: 'cvm.tencentcloudapi.com', timestamp: 1551113065, payload: PAYLOAD };

test('the published intermediate values: payload hash, canonical request, string to sign', () => {
  const r = signTc3({ ...example, secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE' });
  assert.equal(r.hashedPayload, '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
  assert.equal(r.canonicalRequest, [
    'POST',
    '/',
    '',
    'content-type:application/json; charset=utf-8',
    'host:cvm.tencentcloudapi.com',
    '',
    'content-type;host',
    '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  ].join('\n'));
  assert.equal(r.stringToSign, [
    'TC3-HMAC-SHA256',
    '1551113065',
    '2019-02-25/cvm/tc3_request',
    '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
  ].join('\n'));
  assert.equal(r.credentialScope, '2019-02-25/cvm/tc3_request');
});

test('the published signature and Authorization header (…EXAMPLE key pair)', () => {
  const r = signTc3({ ...example, secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE' });
  assert.equal(r.signature, '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  assert.equal(
    r.authorization,
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, '
      + 'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  );
});

test('the published signature and Authorization header (current page, masked key pair used literally)', () => {
  const r = signTc3({ ...example, secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3*******' });
  assert.equal(r.signature, '2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c');
  assert.equal(
    r.authorization,
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, '
      + 'SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c',
  );
});

test('the date is the UTC one: 1551113065 is 2019-02-26 00:44:25 in UTC+8 but signs as 2019-02-25', () => {
  assert.equal(tc3Date(1551113065), '2019-02-25');
  assert.equal(tc3Date(1551139199), '2019-02-25'); // 23:59:59Z
  assert.equal(tc3Date(1551139200), '2019-02-26'); // 00:00:00Z
});

test('every input is covered: a change to any of them changes the signature', () => {
  const base = { ...example, secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE' };
  const sig = signTc3(base).signature;
  assert.notEqual(signTc3({ ...base, secretKey: base.secretKey + 'x' }).signature, sig);
  assert.notEqual(signTc3({ ...base, service: 'sms' }).signature, sig);
  assert.notEqual(signTc3({ ...base, host: 'sms.tencentcloudapi.com' }).signature, sig);
  assert.notEqual(signTc3({ ...base, timestamp: base.timestamp + 1 }).signature, sig);
  assert.notEqual(signTc3({ ...base, payload: base.payload + ' ' }).signature, sig);
  // The SecretId is named in the Authorization header but is not part of the signed string.
  assert.equal(signTc3({ ...base, secretId: 'other' }).signature, sig);
});
