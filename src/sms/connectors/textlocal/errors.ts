// Maps Textlocal failures to our SmsError codes. Textlocal answers HTTP 200 for its own failures:
// `{ "status": "failure", "errors": [{ "code": 3, "message": "Invalid login details" }], "warnings": [...] }`.
//
// Confirmed from captured Textlocal responses and client code copying their send-command docs:
//   3 Invalid login details · 4 No recipients specified · 5 No message content · 6 Message too long
//   7 Insufficient credits · 8/9 schedule date invalid / in the past · 10/11 group invalid / empty
//   32 Invalid number format · 33 Too many numbers · 34 Both group ID and numbers · 43 Invalid sender name
//   44 No sender name specified · 51 No valid numbers specified (often with a warning such as
//   `{ "message": "Number is in DND", "numbers": "91..." }`) · 191 Schedule time outside that allowed
//   · 192 You cannot send message at this time; and a gateway failure seen as
//   `{ "status": "failure", "errors": "<html>…502 Bad Gateway…</html>" }`.
//   80 is "Invalid template" (Textlocal's DLT template guide: "Error Code 80: Invalid Template"),
//   NOT a rate limit: the message did not match an approved template.
// Assumed: Textlocal documents no rate-limit error code; HTTP 429 (if a proxy or they send it) is
//   taken as rate_limited, 5xx as unavailable.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeForStatus } from '../codes.ts';
import type { Scrubber } from '../scrub.ts';

interface ApiError { code?: unknown; message?: unknown }
interface ApiWarning { code?: unknown; message?: unknown }

const byCode: Record<number, SmsErrorCode> = {
  3: 'invalid_config', // Invalid login details
  43: 'invalid_config', // Invalid sender name
  44: 'invalid_config', // No sender name specified
  80: 'invalid_config', // Invalid template: the configured template text is not an approved one
  // Insufficient credits: the operator must top up. `rejected` would tell the user their number
  // was refused ("try another number"), which is false. The sender does not fail over on
  // invalid_config; map to `unavailable` if a second connector should take over.
  7: 'invalid_config',
  4: 'invalid_recipient', // No recipients specified (the number was dropped as unusable)
  32: 'invalid_recipient', // Invalid number format
  51: 'invalid_recipient', // No valid numbers specified
  5: 'rejected', // No message content
  6: 'rejected', // Message too long
  // "You cannot send message at this time" (sending-hours restriction on the account): another
  // connector may well be able to send now, so let the sender fail over.
  192: 'unavailable',
};

/** Worst first: an account problem explains every other error in the same answer. */
const rank: SmsErrorCode[] = ['invalid_config', 'rate_limited', 'unavailable', 'invalid_recipient', 'rejected'];

const objects = <T>(v: unknown): T[] => (Array.isArray(v) ? v.filter((e): e is T => typeof e === 'object' && e !== null) : []);

/** A `status: "failure"` answer (or a non-2xx one that carried it); its text reaches the detail through `scrub` only. */
export function fromFailure(status: number, body: { errors?: unknown; warnings?: unknown }, scrub: Scrubber): SmsError {
  const errors = objects<ApiError>(body.errors);
  // Warnings carry the refused numbers in `numbers`: only their messages go to the log.
  const warnings = objects<ApiWarning>(body.warnings).map((w) => scrub.text(w.message, 60)).filter(Boolean);
  const listed = errors.slice(0, 3).map((e) => `code=${scrub.code(typeof e.code === 'number' ? e.code : undefined)} ${scrub.text(e.message, 120)}`);
  const detail = `textlocal: status=${status} ${listed.join('; ') || (typeof body.errors === 'string' ? '(errors not a list)' : 'no error list')}`
    + (warnings.length ? ` warnings: ${warnings.slice(0, 3).join('; ')}` : '');

  if (status === 429 || status >= 500) return new SmsError(codeForStatus(status), detail);
  // `errors` as a string is a gateway error page passed through: their side, not ours.
  if (!errors.length) return new SmsError(typeof body.errors === 'string' ? 'unavailable' : 'rejected', detail);
  const codes = errors.map((e) => (typeof e.code === 'number' ? byCode[e.code] : undefined)).filter((c): c is SmsErrorCode => c !== undefined);
  let mapped = rank.find((c) => codes.includes(c)) ?? 'rejected';
  // "Number is in DND" (do-not-disturb register): the number is fine, the recipient opted out.
  if (mapped === 'invalid_recipient' && warnings.some((w) => /\bDND\b/i.test(w))) mapped = 'rejected';
  return new SmsError(mapped, detail);
}

/** A non-2xx answer without Textlocal's failure body (proxy, load balancer, wrong URL). */
export function fromStatus(status: number): SmsError {
  return new SmsError(codeForStatus(status), `textlocal: status=${status} (no Textlocal answer)`);
}
