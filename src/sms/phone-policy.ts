// Which numbers may receive SMS at all, decided before any provider call: the country must be on
// the allow-list and the number must be a mobile one (libphonenumber-js full metadata). Premium-
// rate, toll-free, shared-cost, VoIP, pager, fixed-line and non-geographic (satellite) numbers are refused.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type DestinationRefusal = 'country_not_allowed' | 'type_not_allowed' | 'invalid';
const SENDABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

export function checkDestination(e164: string, allowedCountries: readonly string[]): DestinationRefusal | null {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed || !parsed.isValid()) return 'invalid';
  const type = parsed.getType();
  if (!parsed.country || !type || !SENDABLE.has(type)) return 'type_not_allowed';
  if (!allowedCountries.includes(parsed.country)) return 'country_not_allowed';
  return null;
}
