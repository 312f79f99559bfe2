// Reads the phone field of a form: E.164, then the SMS destination policy; a refusal is the phone
// page again with its message. Shared by identify-phone and new-phone.
import { checkDestination } from '../../sms/phone-policy.ts';
import type { StepResult } from '../types.ts';
import { MAX_PHONE_INPUT, normalizePhone } from './phone.ts';

export function readPhone(form: Record<string, string>, defaultRegion: string, allowedCountries: readonly string[]):
  { ok: true; e164: string } | { ok: false; result: StepResult } {
  const parsed = normalizePhone(form.phone ?? '', defaultRegion);
  const refused = parsed.ok ? checkDestination(parsed.e164, allowedCountries) : parsed.reason;
  if (refused || !parsed.ok) {
    // The page comes back with what the person typed (cut to the field's size), not an empty box.
    const typed = (form.phone ?? '').slice(0, MAX_PHONE_INPUT);
    return { ok: false, result: { kind: 'failure', error: 'invalid_input', view: 'phone', model: { phoneError: `phone_${refused}`, phoneValue: typed } } };
  }
  return { ok: true, e164: parsed.e164 };
}
