// Maps Twilio failures (the SDK's RestException status/code, network errors) to our SmsError codes.
// The exception's text goes to the log through the connector's scrubber only; a network error by its code only.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeFor, codeForStatus } from '../codes.ts';
import { networkFailureDetail } from '../http.ts';
import type { Scrubber } from '../scrub.ts';

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

/** The SDK's request client (axios) names its own timeout ECONNABORTED, the socket's ETIMEDOUT, an aborted send's signal ERR_CANCELED. */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);

export function mapTwilioError(err: unknown, scrub: Scrubber, timeoutMs: number): SmsError {
  const e = (err ?? {}) as { status?: unknown; code?: unknown; name?: unknown; message?: unknown };
  if (typeof e.status !== 'number') {
    const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : undefined;
    return new SmsError('unavailable', networkFailureDetail('twilio:', { timeout: TIMEOUT_CODES.has(code ?? ''), timeoutMs, code }));
  }
  // Only the message: `moreInfo` and `details` are the provider's too, and not needed to act.
  const detail = `twilio: status=${e.status} code=${scrub.code(e.code)} ${scrub.text(e.message)}`.trimEnd();
  const mapped = typeof e.code === 'number' ? codeFor(e.code, byTwilioCode) : undefined;
  return new SmsError(mapped ?? codeForStatus(e.status), detail);
}
