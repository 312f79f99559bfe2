// Which numbers may receive SMS at all, decided before any provider call: the country must be on
// the allow-list and the number must be a mobile one (libphonenumber-js full metadata). Premium-
// rate, toll-free, shared-cost, VoIP, pager, fixed-line and non-geographic (satellite) numbers are refused.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type DestinationRefusal = 'country_not_allowed' | 'type_not_allowed' | 'invalid';
const SENDABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/** What the full metadata says of a number: valid, its country, its type. */
interface Destination { valid: boolean; country?: string; type?: string }

/**
 * A sign-in asks this of one number several times (the phone step, the guard, the queue); the
 * answer depends on the number alone (libphonenumber-js's metadata), so the last ones are kept.
 * Bounded: emptied when full, so any number of distinct inputs costs no more memory.
 */
const MEMO_SIZE = 1000;
const memo = new Map<string, Destination>();

export function destinationOf(e164: string): Destination {
  let found = memo.get(e164);
  if (!found) {
    const parsed = parsePhoneNumberFromString(e164);
    found = parsed && parsed.isValid() ? { valid: true, country: parsed.country, type: parsed.getType() } : { valid: false, country: parsed?.country };
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(e164, found);
  }
  return found;
}

export function checkDestination(e164: string, allowedCountries: readonly string[]): DestinationRefusal | null {
  const { valid, country, type } = destinationOf(e164);
  if (!valid) return 'invalid';
  if (!country || !type || !SENDABLE.has(type)) return 'type_not_allowed';
  if (!allowedCountries.includes(country)) return 'country_not_allowed';
  return null;
}
