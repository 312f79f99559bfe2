// Maps MessageBird failures (HTTP status + `{ errors: [{ code, description, parameter }] }`,
// network errors, timeouts) to our SmsError codes.
//
// Confirmed (MessageBird's SDK tests/README and clients built on the API):
//   - auth failure: 401 `{"errors":[{"code":2,"description":"Request not allowed (incorrect access_key)","parameter":"access_key"}]}`
//   - a missing/invalid recipient is code 9 with `parameter: "recipients"` ("no (correct) recipients found"),
//     and a bad originator is code 9/10 with `parameter: "originator"` — so codes 9/10 are told apart by `parameter`.
//   - 4xx = something in the request or account, 5xx = their side.
// Assumed (from the published code list, not seen live): 20 not found, 21 bad request,
//   25 not enough balance, 98 API not found, 99 internal error; 429 for rate limiting
//   (its body is not documented, so the status alone decides).
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeForStatus } from '../codes.ts';
import type { Scrubber } from '../scrub.ts';

interface ApiError { code?: unknown; description?: unknown; parameter?: unknown }

const byCode: Record<number, SmsErrorCode> = {
  2: 'invalid_config', // Request not allowed (incorrect access_key)
  20: 'invalid_config', // not found: the request went to a path MessageBird does not have (apiBaseUrl)
  98: 'invalid_config', // API not found (same)
  // Not enough balance: the operator must top up; the user can do nothing about it, and
  // `rejected` would tell them their number was refused ("try another number"), which is false.
  // Note the sender does not fail over on invalid_config; map to `unavailable` if a second
  // connector should take over when the balance runs out.
  25: 'invalid_config',
  99: 'unavailable', // internal error
  21: 'rejected', // bad request
};

/** Worst first: an account problem explains every other error in the same answer. */
const rank: SmsErrorCode[] = ['invalid_config', 'rate_limited', 'unavailable', 'invalid_recipient', 'rejected'];

function classify(e: ApiError): SmsErrorCode | undefined {
  const code = typeof e.code === 'number' ? e.code : undefined;
  const parameter = typeof e.parameter === 'string' ? e.parameter.toLowerCase() : '';
  if (code === 9 || code === 10) {
    // 9 = missing, 10 = invalid: which parameter decides whose problem it is.
    if (parameter.startsWith('recipient')) return 'invalid_recipient';
    if (parameter === 'originator' || parameter === 'access_key') return 'invalid_config';
    return 'rejected';
  }
  return code === undefined ? undefined : byCode[code];
}

/** A non-2xx answer; its text reaches the detail through `scrub` only. */
export function fromResponse(status: number, raw: string, scrub: Scrubber): SmsError {
  let errors: ApiError[] = [];
  let json = true;
  try {
    const parsed = JSON.parse(raw) as { errors?: unknown };
    if (Array.isArray(parsed?.errors)) errors = parsed.errors.filter((e): e is ApiError => typeof e === 'object' && e !== null);
  } catch {
    json = false;
  }
  const listed = errors.slice(0, 3).map((e) => {
    const parameter = typeof e.parameter === 'string' ? ` parameter=${scrub.text(e.parameter, 40)}` : '';
    return `code=${scrub.code(typeof e.code === 'number' ? e.code : undefined)}${parameter} ${scrub.text(e.description, 120)}`;
  });
  const detail = `messagebird: status=${status} ${json ? (listed.join('; ') || 'no error list') : '(non-JSON body)'}`;

  // Rate limits and their side's faults go by the status, whatever the list says; then the list, then the status.
  if (status === 429 || status >= 500) return new SmsError(codeForStatus(status), detail);
  const codes = errors.map(classify).filter((c): c is SmsErrorCode => c !== undefined);
  return new SmsError(rank.find((c) => codes.includes(c)) ?? codeForStatus(status), detail);
}
