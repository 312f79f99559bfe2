// Maps Vonage SMS API failures (per-message `status` codes, HTTP status) to our SmsError codes; no answer: ../http.ts.
// Details go to the log: the provider's text through the connector's scrubber only, whatever it echoes.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeForStatus } from '../codes.ts';
import type { Scrubber } from '../scrub.ts';

/** https://developer.vonage.com/messaging/sms/guides/troubleshooting-sms — status → our code and a hint for the operator. */
const byStatus: Record<string, [SmsErrorCode, string]> = {
  '1': ['rate_limited', 'throttled: sending faster than the account limit'],
  '2': ['rejected', 'missing parameters'],
  '3': ['rejected', 'invalid parameters'],
  '4': ['invalid_config', 'invalid credentials: check apiKey / apiSecret'],
  '5': ['unavailable', 'internal error at Vonage'],
  '6': ['rejected', 'invalid message (e.g. unrecognised number prefix)'],
  '7': ['invalid_recipient', 'number barred'],
  '8': ['invalid_config', 'partner account barred: the Vonage account is suspended'],
  '9': ['invalid_config', 'partner quota exceeded: the Vonage account has no credit left; top it up (not a per-recipient problem, so no other number will get through either)'],
  '10': ['unavailable', 'too many existing binds'],
  '11': ['invalid_config', 'account not enabled for the HTTP SMS API'],
  '12': ['rejected', 'message too long'],
  '14': ['invalid_config', 'invalid signature'],
  '15': ['invalid_config', 'illegal sender address: `from` is not an allowed sender for this destination (North America needs a Vonage number)'],
  '22': ['invalid_recipient', 'invalid network code for the destination'],
  '23': ['invalid_config', 'invalid callback URL'],
  '29': ['invalid_recipient', 'non-whitelisted destination: the account is in demo mode; add the number in the dashboard or top up'],
  '32': ['invalid_config', 'signature and API secret disallowed'],
  '33': ['invalid_recipient', 'number de-activated'],
  '34': ['invalid_recipient', 'invalid or missing msisdn'],
};

/** Does Vonage's error-text name the recipient (`to` / msisdn) as the bad parameter? */
const aboutRecipient = /(^|[^a-z])['"]?to['"]?\s+(address|number|param)|param(eter)?s?\b[^a-z]*['"]?to\b|msisdn/i;

/** A message rejected in Vonage's 200 response (`status` ≠ "0"). */
export function mapVonageStatus(status: string, errorText: string, scrub: Scrubber): SmsError {
  const known = byStatus[status];
  let code: SmsErrorCode = known?.[0] ?? 'rejected';
  if (status === '3' && aboutRecipient.test(errorText)) code = 'invalid_recipient';
  return new SmsError(code, `vonage: status=${scrub.code(status)} ${scrub.text(errorText)}${known ? ` (${known[1]})` : ''}`.trim());
}

/** A non-200 HTTP answer (Vonage documents 200 always; a proxy or an outage may say otherwise). Its body is not read. */
export function mapVonageHttp(httpStatus: number): SmsError {
  const hint = httpStatus >= 300 && httpStatus < 400 ? ' (redirect not followed: check apiBaseUrl)' : '';
  return new SmsError(codeForStatus(httpStatus), `vonage: http=${httpStatus}${hint}`);
}
