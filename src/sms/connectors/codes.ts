// Provider failures → our five SmsError codes: a provider's own code looked up in that connector's table
// (codeFor), else the HTTP status (codeForStatus), the one reading of a status that every connector shares.
import type { SmsErrorCode } from '../types.ts';

/**
 * A provider's error code looked up in its table, exactly or by prefix. Own keys only: the code
 * comes from the provider's answer, and `constructor` must not find Object's.
 */
export function codeFor(code: string | number | undefined, byCode: Record<string, SmsErrorCode>, byPrefix: ReadonlyArray<readonly [string, SmsErrorCode]> = []): SmsErrorCode | undefined {
  if (code === undefined) return undefined;
  const key = String(code);
  if (Object.hasOwn(byCode, key)) return byCode[key];
  return byPrefix.find(([prefix]) => key.startsWith(prefix))?.[1];
}

/** The reading of an HTTP status when the provider's own code did not decide (or there was none). */
export function codeForStatus(status: number): SmsErrorCode {
  // Credentials refused, or the configured URL points where the API is not.
  if (status === 401 || status === 403 || status === 404 || status === 405) return 'invalid_config';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  // Redirects are not followed (they could carry secrets elsewhere): the configured URL is wrong.
  if (status >= 300 && status < 400) return 'invalid_config';
  return 'rejected'; // 400, 422, other 4xx, and a status the connector does not take as success
}
