// Phone input → E.164, refusing overlong input, control, bidi and zero-width characters.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export const MAX_PHONE_INPUT = 32;
// C0/C1 controls, bidi marks and overrides, zero-width characters, BOM.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: 'empty' | 'too_long' | 'bad_characters' | 'invalid' };

export function normalizePhone(input: string, defaultRegion: string): PhoneResult {
  if (input.length > MAX_PHONE_INPUT * 4) return { ok: false, reason: 'too_long' };
  if (FORBIDDEN.test(input)) return { ok: false, reason: 'bad_characters' };
  const text = input.normalize('NFKC').trim();
  if (!text) return { ok: false, reason: 'empty' };
  if (text.length > MAX_PHONE_INPUT) return { ok: false, reason: 'too_long' };
  if (!/^[+0-9()\-.\s/]+$/.test(text)) return { ok: false, reason: 'invalid' };
  const parsed = parsePhoneNumberFromString(text, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: 'invalid' };
  return { ok: true, e164: parsed.number };
}
