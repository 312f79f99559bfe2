// `messagebird` connector: POST {apiBaseUrl}/messages with `Authorization: AccessKey <key>` and a
// JSON body { originator, recipients: ["<msisdn without +>"], body, datacoding: "auto" }; 201 → id.
// No SDK: one request through ../http.ts (a per-request timeout, no redirects followed).
//
// `datacoding: "auto"` is on purpose: MessageBird's default is `plain`, which *replaces* every
// character outside GSM 03.38 — a template in Greek, Cyrillic or with emoji would arrive mangled.
// Recipients are sent as digit strings (the form MessageBird's own SDK examples use; the API also
// takes integers, but a string cannot lose digits).
import { SmsError, type SmsConnector } from '../../types.ts';
import { requestProvider } from '../http.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { secretKeys, type MessageBirdConfig } from './config.ts';
import { fromResponse } from './errors.ts';

/** E.164 (`+` optional) → MSISDN digits; anything else never reaches the provider. */
function msisdn(to: string): string {
  const digits = to.trim().replace(/^\+/, '');
  if (!/^[1-9][0-9]{5,14}$/.test(digits)) throw new SmsError('invalid_recipient', 'messagebird: recipient is not an international number');
  return digits;
}

export function create(config: MessageBirdConfig): SmsConnector {
  const url = `${config.apiBaseUrl.replace(/\/+$/, '')}/messages`;
  const secrets = secretValues(config, secretKeys);
  return {
    id: 'messagebird',
    async send(msg, opts = {}) {
      const recipient = msisdn(msg.to);
      const { status, text: raw } = await requestProvider({
        signal: opts.signal,
        url,
        method: 'POST',
        headers: {
          authorization: `AccessKey ${config.accessKey}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ originator: config.originator, recipients: [recipient], body: msg.body, datacoding: 'auto' }),
        redirect: 'manual',
        timeoutMs: config.timeoutMs,
        networkDetail: 'messagebird:',
      });
      if (status < 200 || status >= 300) throw fromResponse(status, raw, scrubberFor(secrets, msg));
      // 2xx means MessageBird accepted the message: never fail (and so never fail over and send
      // a second code) just because the answer cannot be read.
      try {
        const id = (JSON.parse(raw) as { id?: unknown }).id;
        return typeof id === 'string' && id ? { providerMessageId: id } : {};
      } catch {
        return {};
      }
    },
  };
}

export { create as createMessageBirdConnector };
