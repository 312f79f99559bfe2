// Phone input → E.164, refusing overlong input, control, bidi and zero-width characters.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { FORBIDDEN_CHARACTERS as FORBIDDEN } from '../forbidden-characters.ts';

export const MAX_PHONE_INPUT = 32;

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: 'empty' | 'too_long' | 'bad_characters' | 'invalid' };

/**
 * An E.164 number as a person reads it: national format for numbers of the default region
 * ((202) 555-0100), international otherwise (+44 7700 900123).
 */
export function formatPhone(e164: string, defaultRegion: string): string {
  return remembered(formatted, `${defaultRegion} ${e164}`, () => {
    const parsed = parsePhoneNumberFromString(e164);
    if (!parsed) return e164;
    return parsed.country === defaultRegion ? parsed.formatNational() : parsed.formatInternational();
  });
}

// libphonenumber's parse costs more than the rest of a page: both functions are pure, so their
// latest answers are kept (a bounded map per function, the oldest entry dropped first; only for
// inputs no longer than a phone number may be).
const REMEMBERED = 1000;
const formatted = new Map<string, string>();
const normalized = new Map<string, PhoneResult>();
function remembered<T>(map: Map<string, T>, key: string, make: () => T): T {
  if (key.length > MAX_PHONE_INPUT + 8) return make();
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const value = make();
  if (map.size >= REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, value);
  return value;
}

export function normalizePhone(input: string, defaultRegion: string): PhoneResult {
  return remembered(normalized, `${defaultRegion} ${input}`, () => normalizeUncached(input, defaultRegion));
}

function normalizeUncached(input: string, defaultRegion: string): PhoneResult {
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
