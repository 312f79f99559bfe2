// Maps webhook failures (HTTP status; no answer: ../http.ts) to our SmsError codes. Details go to the
// log: never the URL (it may carry a key), never a header; a response excerpt only after scrubbing.
import { SmsError } from '../../types.ts';
import { codeForStatus } from '../codes.ts';
import { scrubDetail } from '../http.ts';

/**
 * `secrets` are what must not reach the log from the provider's answer: every secret, the message text and
 * the recipient; anything that looks like a phone number or a code (4+ digits) is masked as well.
 */
export function mapWebhookStatus(method: string, host: string, status: number, responseText: string, secrets: readonly string[]): SmsError {
  const excerpt = scrubDetail(responseText, secrets, { numbers: 'digits' });
  return new SmsError(codeForStatus(status), `webhook: ${method} ${host} status=${status}${excerpt ? ` ${excerpt}` : ''}`);
}
