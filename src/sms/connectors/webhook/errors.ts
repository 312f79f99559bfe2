// Maps webhook failures (HTTP status; no answer: ../http.ts) to our SmsError codes. Details go to the
// log: never the URL (it may carry a key), never a header; a response excerpt only through the scrubber.
import { SmsError } from '../../types.ts';
import { codeForStatus } from '../codes.ts';
import type { Scrubber } from '../scrub.ts';

export function mapWebhookStatus(method: string, host: string, status: number, responseText: string, scrub: Scrubber): SmsError {
  const excerpt = scrub.text(responseText);
  return new SmsError(codeForStatus(status), `webhook: ${method} ${host} status=${status}${excerpt ? ` ${excerpt}` : ''}`);
}
