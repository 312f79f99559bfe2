// Alibaba Cloud RPC signing (src/sms/connectors/aliyun/sign.ts: HMAC-SHA1, SignatureVersion 1.0) checked
// against Alibaba Cloud's own worked examples:
//  1. "Request signatures" / "Request syntax and signature method V2 for RPC APIs"
//     (https://www.alibabacloud.com/help/doc-detail/28139.htm, https://help.aliyun.com/document_detail/25490.htm):
//     ECS DescribeRegions, AccessKeyId `testid`, AccessKeySecret `testsecret`, Timestamp 2016-02-23T12:46:24Z,
//     SignatureNonce 3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf → Signature OLeaidS1JvxuMvnyHOwuJ+uX5qY=
//  2. The SMS product's own "签名机制" page (https://help.aliyun.com/document_detail/56189.html): SendSms with
//     AccessKeyId `testId`, AccessKeySecret `testSecret` (capital I and S: with `testsecret` it does not
//     reproduce), SignName 阿里云短信测试专用, TemplateCode SMS_71390007 → Signature zJDF+Lrzhj/ThnlvIToysFRq6t4=,
//     sent as zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D.
//  3. The older wording of example 1 on the "Signature mechanism" pages (e.g. https://help.aliyun.com/en/document_detail/145075.html
//     shows its result in the URL, https://developer.aliyun.com/ask/210168 reprints the steps): the same request
//     spelled `TimeStamp` → CT9X0VtwR86fNWSnsc6v8YGOjuE= (that reprint's StringToSign lost its %26s in
//     transcription; the signature itself is the one the canonical form gives).
// The exact strings below (canonical query, string to sign, signature) are the published ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalizedQuery, percentEncode, rpcSignature, signedQuery, stringToSign } from '../../src/sms/connectors/aliyun/sign.ts';

const describeRegions = {
  Timestamp: '2016-02-23T12:46:24Z',
  Format: 'XML',
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  Version: '2014-05-26',
  SignatureVersion: '1.0',
};

test('RPC doc example (DescribeRegions): string to sign and signature', () => {
  assert.equal(
    stringToSign('GET', describeRegions),
    'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1'
      + '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0'
      + '%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
  );
  assert.equal(rpcSignature('GET', describeRegions, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
});

test('signature-mechanism page example (same request spelled TimeStamp): CT9X0VtwR86fNWSnsc6v8YGOjuE=', () => {
  const { Timestamp, ...rest } = describeRegions;
  assert.equal(rpcSignature('GET', { ...rest, TimeStamp: Timestamp }, 'testsecret'), 'CT9X0VtwR86fNWSnsc6v8YGOjuE=');
});

const sendSms = {
  AccessKeyId: 'testId',
  Action: 'SendSms',
  Format: 'XML',
  OutId: '123',
  PhoneNumbers: '15300000001',
  RegionId: 'cn-hangzhou',
  SignName: '阿里云短信测试专用',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
  SignatureVersion: '1.0',
  TemplateCode: 'SMS_71390007',
  TemplateParam: '{"customer":"test"}',
  Timestamp: '2017-07-12T02:42:19Z',
  Version: '2017-05-25',
};

test('SMS doc example (SendSms, UTF-8 SignName, JSON TemplateParam): canonical query, string to sign, signature', () => {
  assert.equal(
    canonicalizedQuery(sendSms),
    'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou'
      + '&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8'
      + '&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0'
      + '&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D'
      + '&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25',
  );
  assert.equal(
    stringToSign('GET', sendSms),
    'GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001'
      + '%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD'
      + '%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1'
      + '%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0'
      + '%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D'
      + '%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25',
  );
  assert.equal(rpcSignature('GET', sendSms, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  assert.match(signedQuery('GET', sendSms, 'testSecret'), /&Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D$/);
});

test('the key is AccessKeySecret + "&": the lower-case secret does not give the SMS example signature', () => {
  assert.notEqual(rpcSignature('GET', sendSms, 'testsecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
});

test('parameter order does not matter; Signature is never signed', () => {
  const reversed = Object.fromEntries(Object.entries(sendSms).reverse());
  assert.equal(rpcSignature('GET', reversed, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  assert.equal(rpcSignature('GET', { ...sendSms, Signature: 'stale' }, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
});

test('percent-encoding: RFC 3986 unreserved only, %20 for space, upper-case hex, UTF-8 bytes', () => {
  assert.equal(percentEncode('AZaz09-_.~'), 'AZaz09-_.~');
  assert.equal(percentEncode('a b'), 'a%20b');
  assert.equal(percentEncode('+'), '%2B');
  assert.equal(percentEncode('*'), '%2A');
  assert.equal(percentEncode("!'()"), '%21%27%28%29'); // left alone by encodeURIComponent, encoded here
  assert.equal(percentEncode('/:=&'), '%2F%3A%3D%26');
  assert.equal(percentEncode('ü€'), '%C3%BC%E2%82%AC');
  assert.equal(percentEncode('😀'), '%F0%9F%98%80');
});
