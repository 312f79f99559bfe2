// Phone input normalization: every spelling of a number becomes one E.164 value; hostile input is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizePhone } from '../../src/authenticators/identify-phone/phone.ts';

test('spellings of one number normalize to the same E.164 value', () => {
  for (const input of ['+1 202 555 0100', '(202) 555-0100', '202.555.0100', '+12025550100', ' +1-202-555-0100 ', '＋１２０２５５５０１００']) {
    assert.deepEqual(normalizePhone(input, 'US'), { ok: true, e164: '+12025550100' }, input);
  }
});

test('the default region applies to national numbers', () => {
  assert.deepEqual(normalizePhone('030 12345678', 'DE'), { ok: true, e164: '+493012345678' });
});

test('hostile input is refused with a reason', () => {
  assert.deepEqual(normalizePhone('', 'US'), { ok: false, reason: 'empty' });
  assert.deepEqual(normalizePhone('1'.repeat(10_000), 'US'), { ok: false, reason: 'too_long' });
  assert.deepEqual(normalizePhone('+1202555010012345678901234567890123', 'US'), { ok: false, reason: 'too_long' });
  assert.deepEqual(normalizePhone('call me maybe', 'US'), { ok: false, reason: 'invalid' });
  assert.deepEqual(normalizePhone('+1 202 555 0100\u202E', 'US'), { ok: false, reason: 'bad_characters' });
  assert.deepEqual(normalizePhone('+1202\u200B5550100', 'US'), { ok: false, reason: 'bad_characters' });
  assert.deepEqual(normalizePhone('+12025550100\u0000', 'US'), { ok: false, reason: 'bad_characters' });
  assert.deepEqual(normalizePhone('+12025550100\r\nX-Evil: 1', 'US'), { ok: false, reason: 'bad_characters' });
  assert.deepEqual(normalizePhone('+1 555', 'US'), { ok: false, reason: 'invalid' });
});
