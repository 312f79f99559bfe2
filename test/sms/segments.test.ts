// measureSms: GSM-7 vs UCS-2, extension characters, the single and concatenated limits, no split characters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGsm7, measureSms } from '../../src/sms/segments.ts';

test('empty text: 0 segments', () => {
  assert.deepEqual(measureSms(''), { characters: 0, encoding: 'GSM-7', segments: 0, perSegment: 160 });
});

test('GSM-7: 160 septets fit one message, 161 need two of 153', () => {
  assert.deepEqual(measureSms('a'.repeat(160)), { characters: 160, encoding: 'GSM-7', segments: 1, perSegment: 160 });
  assert.deepEqual(measureSms('a'.repeat(161)), { characters: 161, encoding: 'GSM-7', segments: 2, perSegment: 153 });
  assert.equal(measureSms('a'.repeat(306)).segments, 2);
  assert.equal(measureSms('a'.repeat(307)).segments, 3);
});

test('GSM-7 extension characters count 2 septets', () => {
  assert.deepEqual(measureSms(`${'a'.repeat(158)}€`), { characters: 160, encoding: 'GSM-7', segments: 1, perSegment: 160 });
  assert.deepEqual(measureSms(`${'a'.repeat(159)}€`), { characters: 161, encoding: 'GSM-7', segments: 2, perSegment: 153 });
  for (const ch of '^{}\\[~]|€\f') assert.equal(measureSms(ch).characters, 2, JSON.stringify(ch));
});

test('an extension character is not split across segments', () => {
  // 152 septets then '€' (2): it does not fit the first segment's last septet, so it starts the second.
  const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`; // 306 septets: 2 segments if split, 3 when not
  assert.equal(measureSms(text).characters, 306);
  assert.equal(measureSms(text).segments, 3);
});

test('the basic set stays GSM-7: accents, Greek capitals, newlines, @ £ $ ¥ § ¿', () => {
  const text = 'é è ù ì ò Ç Ø ø Å å Æ æ ß É Ä Ö Ñ Ü ä ö ñ ü à Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ @£$¥§¿¡¤_\n\r!"#%&\'()*+,-./:;<=>?';
  assert.ok(isGsm7(text));
  assert.equal(measureSms(text).encoding, 'GSM-7');
  assert.deepEqual(measureSms('é'.repeat(160)), { characters: 160, encoding: 'GSM-7', segments: 1, perSegment: 160 });
});

test('UCS-2: 70 units fit one message, 71 need two of 67', () => {
  assert.deepEqual(measureSms('д'.repeat(70)), { characters: 70, encoding: 'UCS-2', segments: 1, perSegment: 70 });
  assert.deepEqual(measureSms('д'.repeat(71)), { characters: 71, encoding: 'UCS-2', segments: 2, perSegment: 67 });
  assert.equal(measureSms('验'.repeat(134)).segments, 2);
  assert.equal(measureSms('验'.repeat(135)).segments, 3);
});

test('one character outside GSM-7 makes the whole message UCS-2', () => {
  const m = measureSms(`${'a'.repeat(100)}ç`); // lower-case ç is not in the basic set
  assert.equal(m.encoding, 'UCS-2');
  assert.equal(m.segments, 2);
  assert.equal(measureSms('Your code is 123456 验').encoding, 'UCS-2');
});

test('UCS-2 counts UTF-16 units: an emoji is 2 and is not split', () => {
  assert.deepEqual(measureSms('😀'), { characters: 2, encoding: 'UCS-2', segments: 1, perSegment: 70 });
  assert.deepEqual(measureSms('😀'.repeat(35)), { characters: 70, encoding: 'UCS-2', segments: 1, perSegment: 70 });
  assert.deepEqual(measureSms('😀'.repeat(36)), { characters: 72, encoding: 'UCS-2', segments: 2, perSegment: 67 });
  // 66 units then an emoji: it does not fit the last unit of the first segment.
  assert.equal(measureSms(`${'д'.repeat(66)}😀${'д'.repeat(66)}`).segments, 3); // 134 units: 2 segments if split
});
