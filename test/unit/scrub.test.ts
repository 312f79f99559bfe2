// The connector scrubber on its own: secrets from the declared keys (nested too), the message, its code and
// the recipient removed in every encoding an echo may use, base64 credentials found at any offset, codes kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrubberFor, secretValues } from '../../src/sms/connectors/scrub.ts';

const SECRET = 'pw/Secret+9f3a&"x';
const msg = { to: '+447700900123', body: 'Grüße: A1B2C3 is your code' };

test('secretValues: every string under the declared keys, nested objects and arrays included', { timeout: 10_000 }, () => {
  const config = { type: 'webhook', url: 'https://x', auth: { basic: { username: 'u', password: SECRET } }, headers: { a: 'h1', b: ' ' }, other: 'kept' };
  assert.deepEqual(secretValues(config, ['auth', 'headers', 'missing']), ['u', SECRET, 'h1']);
});

test('text: a secret, the message, its code-like tokens and the recipient go, however the echo encodes them', { timeout: 10_000 }, () => {
  const scrub = scrubberFor([SECRET], msg);
  const form = new URLSearchParams({ q: new URLSearchParams({ p: SECRET, text: msg.body, to: msg.to }).toString() }).toString();
  const echoes = [
    JSON.stringify({ p: SECRET, text: msg.body, to: msg.to }),
    JSON.stringify(JSON.stringify({ text: msg.body })),
    form,
    `<e p="${SECRET.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">${msg.body}</e>`,
    `python: {"text": "Gr\\u00fc\\u00dfe: A1B2C3 is your code"}`,
    `partial: code A1B2C3 and ${encodeURIComponent(encodeURIComponent(SECRET))}`,
    `to 447700900123 / 7700 900123`,
  ];
  for (const echo of echoes) {
    const out = scrub.text(echo, 1_000);
    for (const bad of [SECRET, msg.body, 'A1B2C3', '447700900123', '900123', encodeURIComponent(SECRET)]) {
      assert.ok(!out.includes(bad), `'${bad}' in ${out}`);
    }
  }
  assert.equal(scrub.text(`to ${msg.to}: ${SECRET}`), 'to [number]: [redacted]');
});

test('text: base64 hiding a secret is removed at any offset and URL-encoded; other base64 stays', { timeout: 10_000 }, () => {
  const scrub = scrubberFor([SECRET], msg);
  const b64 = Buffer.from(`AC0123456789:${SECRET}`).toString('base64');
  for (const echo of [`Basic ${b64}`, `authorization=Basic+${encodeURIComponent(b64)}`, `x${b64}`, `xyz${b64}`]) {
    assert.doesNotMatch(scrub.text(echo, 1_000), new RegExp(b64.slice(8, 24).replace(/[+/]/g, '\\$&')), echo);
  }
  const harmless = Buffer.from('nothing to see here at all').toString('base64');
  assert.equal(scrub.text(harmless, 1_000), harmless);
});

test('code: provider codes and request ids are kept (digits too) unless they carry something sensitive', { timeout: 10_000 }, () => {
  const scrub = scrubberFor([SECRET], msg);
  assert.equal(scrub.code(21211), '21211');
  assert.equal(scrub.code('isv.BUSINESS_LIMIT_CONTROL'), 'isv.BUSINESS_LIMIT_CONTROL');
  assert.equal(scrub.code('F655A8D5-B967-440B-8683-DAD6FF8DE990', 64), 'F655A8D5-B967-440B-8683-DAD6FF8DE990');
  assert.equal(scrub.code(undefined), '-');
  assert.equal(scrub.code('A1B2C3'), '[redacted]');
  assert.equal(scrub.code(`bad ${SECRET} 12345678`), 'bad [redacted] [number]');
});
