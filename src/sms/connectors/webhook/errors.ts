// Maps webhook failures (HTTP status; no answer: ../http.ts) to our SmsError codes. Details go to the
// log: never the URL (it may carry a key), never a header; a response excerpt only after scrubbing.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { scrubDetail } from '../http.ts';

export function codeForStatus(status: number): SmsErrorCode {
  if (status === 401 || status === 403 || status === 404 || status === 405) return 'invalid_config';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  if (status >= 300 && status < 400) return 'invalid_config'; // redirects are not followed (they could carry secrets elsewhere)
  return 'rejected'; // 400, 422, other 4xx, and a status outside `successStatus`
}

/**
 * `secrets` are what must not reach the log from the provider's answer: every secret, the message text and
 * the recipient; anything that looks like a phone number or a code (4+ digits) is masked as well.
 */
export function mapWebhookStatus(method: string, host: string, status: number, responseText: string, secrets: readonly string[]): SmsError {
  const excerpt = scrubDetail(responseText, secrets, { numbers: 'digits' });
  return new SmsError(codeForStatus(status), `webhook: ${method} ${host} status=${status}${excerpt ? ` ${excerpt}` : ''}`);
}
