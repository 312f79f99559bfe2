// The connector catalogue for the admin API: JSON Schemas, secret keys, masked chains (no secret value
// ever shown), write-only secrets merged back, and chains validated into FieldProblems with JSON pointers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectorSchema, type ConnectorConfig } from '../../src/config/schema.ts';
import { connectorCatalogue, maskChain, mergeSecrets, secretKeysOf, validateChain } from '../../src/sms/connectors/catalogue.ts';
import { connectorTypes } from '../../src/sms/connectors/registry.ts';

const S = (name: string) => `SeCrEt${name}9f3a7c`;
const secrets = ['twilio', 'mbkey', 'mbsign', 'tlkey', 'tlhash', 'vonage', 'aliyun', 'tencent', 'hook', 'bearer', 'basicpw', 'basicuser'].map(S);

/** Every connector type with every secret it can hold set to a recognisable value. */
const full: ConnectorConfig[] = [
  { type: 'twilio', accountSid: `AC${'4'.repeat(32)}`, authToken: S('twilio'), from: '+15005550006', statusCallbackUrl: 'https://id.example.com/sms/status/twilio' },
  { type: 'messagebird', accessKey: S('mbkey'), signingKey: S('mbsign'), originator: 'Acme' },
  { type: 'textlocal', apiKey: S('tlkey'), sender: 'Acme' },
  { type: 'textlocal', username: 'ops@acme.test', hash: S('tlhash'), sender: 'Acme' },
  { type: 'vonage', apiKey: 'vkey', apiSecret: S('vonage'), from: 'Acme' },
  { type: 'aliyun', accessKeyId: 'LTAIexample', accessKeySecret: S('aliyun'), signName: 'Acme', templateCode: 'SMS_1' },
  { type: 'tencent', secretId: 'AKIDexample', secretKey: S('tencent'), smsSdkAppId: '1400000000', templateId: '100' },
  { type: 'webhook', url: `https://sms.example.com/send?key=${S('hook')}`, headers: { 'x-api-key': S('hook') }, auth: { bearer: S('bearer') }, bodyTemplate: { to: '{{to}}', text: '{{body}}', key: S('hook') } },
  { type: 'webhook', url: 'https://sms.example.com/send', auth: { basic: { username: S('basicuser'), password: S('basicpw') } }, bodyTemplate: { to: '{{to}}', text: '{{body}}' } },
  { type: 'outbox', path: './data/outbox.jsonl' },
  { type: 'console' },
].map((c) => connectorSchema.parse(c));

test('the catalogue has every connector type with a draft 2020-12 JSON Schema and its declared secret keys', () => {
  const list = connectorCatalogue();
  assert.deepEqual(list.map((e) => e.type), Object.keys(connectorTypes));
  for (const entry of list) {
    assert.equal(entry.configSchema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(entry.secretKeys, [...connectorTypes[entry.type].secretKeys]);
    assert.ok(entry.displayName);
    const props = entry.configSchema.properties as Record<string, { writeOnly?: boolean; const?: string }>;
    assert.equal(props.type!.const, entry.type);
    for (const key of entry.secretKeys) assert.equal(props[key]?.writeOnly, true, `${entry.type}.${key}`);
  }
  const twilio = list.find((e) => e.type === 'twilio')!;
  assert.deepEqual(twilio.secretKeys, ['authToken']);
  // io: input: defaulted fields are optional.
  assert.deepEqual((twilio.configSchema.required as string[]).sort(), ['accountSid', 'authToken', 'type']);
  assert.deepEqual(secretKeysOf('webhook'), ['auth', 'headers']);
  assert.deepEqual(secretKeysOf('nope'), []);
  // A copy: changing it changes nothing.
  list[0]!.secretKeys.push('x');
  assert.deepEqual(connectorCatalogue()[0]!.secretKeys, []);
});

test('maskChain shows no secret value, names the secrets set, keeps the rest', () => {
  const masked = maskChain(full);
  const shown = JSON.stringify(masked);
  for (const secret of secrets) assert.ok(!shown.includes(secret), `masked output shows ${secret}: ${shown}`);
  assert.deepEqual(masked.map((m) => m.secretsSet), [
    ['authToken'], ['accessKey', 'signingKey'], ['apiKey'], ['hash'], ['apiSecret'], ['accessKeySecret'], ['secretKey'],
    ['headers', 'auth'], ['auth'], [], [],
  ]);
  assert.deepEqual(masked[0], {
    type: 'twilio', accountSid: `AC${'4'.repeat(32)}`, from: '+15005550006', timeoutMs: 5000,
    statusCallbackUrl: 'https://id.example.com/sms/status/twilio', secretsSet: ['authToken'],
  });
  assert.equal(masked[3]!.username, 'ops@acme.test');
  // A secret copied into an ordinary field is cut out there too.
  assert.equal(masked[7]!.url, 'https://sms.example.com/send?key=[secret]');
  assert.deepEqual(masked[7]!.bodyTemplate, { to: '{{to}}', text: '{{body}}', key: '[secret]' });
  // Secret keys that hold nothing secret are shown as they are.
  const plain = maskChain([connectorSchema.parse({ type: 'webhook', url: 'https://sms.example.com/x', bodyTemplate: { to: '{{to}}', t: '{{body}}' } })])[0]!;
  assert.equal(plain.auth, 'none');
  assert.deepEqual(plain.headers, {});
  assert.deepEqual(plain.secretsSet, []);
  // The stored chain is not changed.
  assert.equal((full[0] as { authToken: string }).authToken, S('twilio'));
});

test('mergeSecrets: a masked chain sent back unchanged is the stored chain', () => {
  const back = JSON.parse(JSON.stringify(maskChain(full))) as unknown[];
  assert.deepEqual(mergeSecrets(full, back), JSON.parse(JSON.stringify(full)));
  const valid = validateChain({ connectors: mergeSecrets(full, back) });
  assert.ok(valid.ok);
  assert.deepEqual(valid.chain, full);
});

test('mergeSecrets: a sent secret replaces the stored one, null removes it, a type change keeps nothing', () => {
  const [twilio, messagebird] = maskChain(full);
  const merged = mergeSecrets(full, [
    { ...twilio, authToken: 'new-token', from: '+15005550007' },
    { ...messagebird, signingKey: null },
    { type: 'vonage', apiKey: 'k', from: 'Acme' }, // was textlocal: its apiKey is not carried over
  ]) as Array<Record<string, unknown>>;
  assert.equal(merged[0]!.authToken, 'new-token');
  assert.equal(merged[0]!.from, '+15005550007');
  assert.equal(merged[1]!.accessKey, S('mbkey'));
  assert.ok(!('signingKey' in merged[1]!));
  assert.ok(!('secretsSet' in merged[1]!));
  assert.deepEqual(merged[2], { type: 'vonage', apiKey: 'k', from: 'Acme' });
  const checked = validateChain({ connectors: merged });
  assert.ok(!checked.ok);
  assert.deepEqual(checked.problems, [{ pointer: '/connectors/2/apiSecret', detail: 'is required' }]);
  // An edited field that had a secret cut out of it is taken as sent.
  const hook = maskChain(full)[7]!;
  const edited = mergeSecrets(full.slice(0, 8), [...maskChain(full).slice(0, 7), { ...hook, url: 'https://other.example.com/send' }]) as Array<Record<string, unknown>>;
  assert.equal(edited[7]!.url, 'https://other.example.com/send');
  assert.deepEqual(edited[7]!.bodyTemplate, (full[7] as { bodyTemplate: unknown }).bodyTemplate);
  assert.equal(mergeSecrets(full, 'not an array'), 'not an array');
});

test('validateChain: pointers into the body and readable messages', () => {
  const r = validateChain({ connectors: [
    { type: 'twilio', accountSid: 'nope', from: '+1', extra: 1 },
    { type: 'carrier-pigeon' },
    { type: 'webhook', url: 'ftp://x', auth: 3, bodyTemplate: { a: '{{foo}}' } },
  ] });
  assert.ok(!r.ok);
  assert.deepEqual(r.problems.map((p) => p.pointer), [
    '/connectors/0/accountSid', '/connectors/0/authToken', '/connectors/0/extra', '/connectors/1/type',
    '/connectors/2/url', '/connectors/2/auth', '/connectors/2/bodyTemplate/a',
  ]);
  const byPointer = Object.fromEntries(r.problems.map((p) => [p.pointer, p.detail]));
  assert.equal(byPointer['/connectors/0/accountSid'], 'must look like AC followed by 32 hex digits');
  assert.equal(byPointer['/connectors/0/authToken'], 'is required');
  assert.equal(byPointer['/connectors/0/extra'], 'is not a setting of this connector type');
  assert.match(byPointer['/connectors/1/type']!, /^unknown connector `type`; use one of: console, outbox, twilio/);
  assert.equal(byPointer['/connectors/2/url'], 'must be an http:// or https:// URL');
  assert.match(byPointer['/connectors/2/bodyTemplate/a']!, /unknown variable or expression 'foo'/);
  const twilioBoth = validateChain({ connectors: [{ type: 'twilio', accountSid: `AC${'1'.repeat(32)}`, authToken: 't' }] });
  assert.deepEqual(twilioBoth.ok ? [] : twilioBoth.problems, [{ pointer: '/connectors/0', detail: 'set exactly one of `from` or `messagingServiceSid`' }]);
  const empty = validateChain({ connectors: [] });
  assert.deepEqual(empty.ok ? [] : empty.problems, [{ pointer: '/connectors', detail: 'at least one connector is needed' }]);
  const notObject = validateChain(null);
  assert.ok(!notObject.ok && notObject.problems[0]!.pointer === '');
  const stray = validateChain({ connectors: [{ type: 'console' }], other: 1 });
  assert.deepEqual(stray.ok ? [] : stray.problems, [{ pointer: '/other', detail: 'is not allowed here' }]);
});

test('validateChain: defaults applied; dev connectors refused in production unless allowed; no secret in a problem', () => {
  const ok = validateChain({ connectors: [{ type: 'outbox' }] });
  assert.deepEqual(ok, { ok: true, chain: [{ type: 'outbox', path: './data/outbox.jsonl' }] });
  const prod = validateChain({ connectors: [{ type: 'twilio', accountSid: `AC${'1'.repeat(32)}`, authToken: 't', from: '+15005550006' }, { type: 'console' }] }, { production: true });
  assert.ok(!prod.ok);
  assert.equal(prod.problems[0]!.pointer, '/connectors/1/type');
  assert.ok(validateChain({ connectors: [{ type: 'console' }] }, { production: true, allowDevConnectorsInProduction: true }).ok);
  const bad = validateChain({ connectors: [{ type: 'messagebird', accessKey: `${S('mbkey')} with space`, signingKey: 'short', originator: 'Acme' }] });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map((p) => p.pointer), ['/connectors/0/accessKey', '/connectors/0/signingKey']);
  assert.ok(!JSON.stringify(bad.problems).includes(S('mbkey')));
});
