// Maps Twilio failures (RestException status/code, network errors) to our SmsError codes.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeFor, codeForStatus } from '../codes.ts';

const byTwilioCode: Record<number, SmsErrorCode> = {
  20003: 'invalid_config', // authentication failed
  20404: 'invalid_config', // account / service not found
  21606: 'invalid_config', // `from` is not a Twilio number able to send
  21659: 'invalid_config', // `from` not a valid sender
  21211: 'invalid_recipient', // invalid To number
  21214: 'invalid_recipient', // To number not reachable
  21408: 'invalid_recipient', // region not enabled
  21612: 'invalid_recipient', // cannot route to this number
  21614: 'invalid_recipient', // not a mobile number
  21610: 'rejected', // recipient unsubscribed (STOP)
  30007: 'rejected', // carrier filtered
  20429: 'rate_limited',
  14107: 'rate_limited',
};

export function mapTwilioError(err: unknown): SmsError {
  const e = err as { status?: number; code?: number | string; message?: string };
  // Twilio's messages can quote the recipient: numbers are masked before they reach the log.
  const message = String(e.message ?? '').slice(0, 200).replace(/\+?\d[\d\s()-]{5,}\d/g, '[number]');
  const detail = `twilio: status=${e.status ?? '-'} code=${e.code ?? '-'} ${message}`;
  if (typeof e.status === 'number') {
    const mapped = typeof e.code === 'number' ? codeFor(e.code, byTwilioCode) : undefined;
    if (mapped) return new SmsError(mapped, detail);
    return new SmsError(codeForStatus(e.status), detail);
  }
  return new SmsError('unavailable', detail);
}
