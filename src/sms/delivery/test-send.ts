// A test message (`[test] ` + the `generic` template with code 000000) sent straight through the chain,
// not queued: `flowgate sms test` and the admin API's test-send. The number is checked like any other
// (a refused destination calls no provider).
import type { Logger } from 'pino';
import { normalizePhone, type PhoneResult } from '../../authenticators/identify-phone/phone.ts';
import { checkDestination, type DestinationRefusal } from '../phone-policy.ts';
import { compileTemplate, pickTemplate, type TemplateOverrides } from '../template.ts';
import { SmsError, type SmsErrorCode } from '../types.ts';
import type { Dispatch } from './dispatch.ts';
import type { LiveDispatch } from './live.ts';

export interface TestSendOptions {
  appName: string;
  /** {{host}}: the issuer's host name. */
  host: string;
  defaultRegion: string;
  allowedCountries: readonly string[];
  /** Config `sms.templates` (its `generic` template is used). */
  templates?: TemplateOverrides;
  locale?: string;
  /** Only this connector of the chain (no failover, its own circuit); else the whole chain. */
  connectorIndex?: number;
  log?: Logger;
}

export type TestSendResult =
  | { ok: true; to: string; connector: string; providerMessageId: string | null }
  | { ok: false; reason: 'invalid_number'; phone: Exclude<PhoneResult, { ok: true }>['reason'] }
  | { ok: false; reason: 'destination_refused'; to: string; refused: DestinationRefusal }
  | { ok: false; reason: 'no_such_connector'; connectorIndex: number }
  | { ok: false; reason: 'not_sent'; to: string; error: SmsErrorCode };

/** The test message's text. */
export function testMessageBody(opts: Pick<TestSendOptions, 'appName' | 'host' | 'templates' | 'locale'>): string {
  const source = pickTemplate({}, opts.templates ?? {}, 'generic', opts.locale ?? 'en');
  return `[test] ${compileTemplate(source)({ code: '000000', ttlMinutes: '5', appName: opts.appName, host: opts.host })}`;
}

/** Sends the test message to `to` (any spelling normalizePhone reads); never throws for a failed send. */
export async function sendTest(dispatch: Dispatch | LiveDispatch, to: string, opts: TestSendOptions): Promise<TestSendResult> {
  const phone = normalizePhone(to, opts.defaultRegion);
  if (!phone.ok) return { ok: false, reason: 'invalid_number', phone: phone.reason };
  let send: Dispatch | undefined = dispatch;
  if (opts.connectorIndex !== undefined) {
    send = 'via' in dispatch ? dispatch.via(opts.connectorIndex) : undefined;
    if (!send) return { ok: false, reason: 'no_such_connector', connectorIndex: opts.connectorIndex };
  }
  const refused = checkDestination(phone.e164, opts.allowedCountries);
  if (refused) return { ok: false, reason: 'destination_refused', to: phone.e164, refused };
  const locale = opts.locale ?? 'en';
  try {
    const sent = await send({ to: phone.e164, body: testMessageBody(opts), usage: 'generic', locale }, opts.log);
    return { ok: true, to: phone.e164, connector: sent.connector, providerMessageId: sent.providerMessageId };
  } catch (err) {
    return { ok: false, reason: 'not_sent', to: phone.e164, error: err instanceof SmsError ? err.code : 'unavailable' };
  }
}
