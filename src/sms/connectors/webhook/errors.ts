// Maps webhook failures (HTTP status, network errors, timeouts) to our SmsError codes. Details go to the
// log: never the URL (it may carry a key), never a header; a response excerpt only after scrubbing.
import { SmsError, type SmsErrorCode } from '../../types.ts';

export function codeForStatus(status: number): SmsErrorCode {
  if (status === 401 || status === 403 || status === 404 || status === 405) return 'invalid_config';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  if (status >= 300 && status < 400) return 'invalid_config'; // redirects are not followed (they could carry secrets elsewhere)
  return 'rejected'; // 400, 422, other 4xx, and a status outside `successStatus`
}

/**
 * Removes what must not reach a log from a provider's answer: every secret (as sent, URL-encoded,
 * JSON-escaped), the message text and recipient, anything that looks like a phone number or a code.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(new URLSearchParams({ s }).toString().slice(2));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  // Longest first, so a secret that contains another is removed whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('[redacted]');
  return out
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\+?\d[\d\s()-]{5,}\d/g, '[number]')
    .replace(/\d{4,}/g, '[digits]');
}

export function mapWebhookStatus(method: string, host: string, status: number, responseText: string, secrets: readonly string[]): SmsError {
  const excerpt = scrub(responseText.slice(0, 300), secrets).trim().slice(0, 200);
  return new SmsError(codeForStatus(status), `webhook: ${method} ${host} status=${status}${excerpt ? ` ${excerpt}` : ''}`);
}

/** fetch threw: timeout, refused, DNS, TLS… Only the error's name and system code are kept. */
export function mapWebhookNetwork(method: string, host: string, err: unknown, timeoutMs: number): SmsError {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new SmsError('unavailable', `webhook: ${method} ${host} no answer within ${timeoutMs}ms`);
  }
  const cause = String(e?.cause?.code ?? e?.cause?.name ?? e?.name ?? 'error').replace(/[^\w.-]/g, '').slice(0, 40);
  return new SmsError('unavailable', `webhook: ${method} ${host} network error (${cause})`);
}
