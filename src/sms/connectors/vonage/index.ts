// `vonage` connector: POST /sms/json of the Vonage (Nexmo) SMS API, one request through ../http.ts.
// The API answers 200 with one status per message part; any non-zero status fails the send.
import { secretKeys, type VonageConfig } from './config.ts';
import { SmsError, type SmsConnector } from '../../types.ts';
import { requestProvider } from '../http.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { mapVonageHttp, mapVonageStatus } from './errors.ts';

const DEFAULT_BASE_URL = 'https://rest.nexmo.com';
const MAX_RESPONSE_BYTES = 64 * 1024;

// GSM 03.38 default alphabet and its extension table: anything else needs `type: unicode`.
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
  + '\f^{}\\[~]|€',
);
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7.has(ch)) return false;
  return true;
}

interface VonageMessage { status?: unknown; 'message-id'?: unknown; 'error-text'?: unknown }

export function create(config: VonageConfig): SmsConnector {
  const endpoint = `${(config.apiBaseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')}/sms/json`;
  const from = /^\+\d+$/.test(config.from) ? config.from.slice(1) : config.from;
  const secrets = secretValues(config, secretKeys);
  return {
    id: 'vonage',
    async send(msg, opts = {}) {
      const to = msg.to.replace(/[\s().-]/g, '').replace(/^\+/, '');
      if (!/^\d{6,15}$/.test(to)) throw new SmsError('invalid_recipient', 'vonage: recipient is not an international phone number');
      const form = new URLSearchParams({ api_key: config.apiKey, api_secret: config.apiSecret, from, to, text: msg.body });
      if (!isGsm7(msg.body)) form.set('type', 'unicode');

      const { status, text: raw } = await requestProvider({
        signal: opts.signal,
        url: endpoint,
        method: 'POST',
        body: form,
        headers: { accept: 'application/json' },
        // The body carries the secret: never replay it to wherever a redirect points.
        redirect: 'manual',
        timeoutMs: config.timeoutMs,
        maxBytes: MAX_RESPONSE_BYTES,
        bodyOnlyIfOk: true,
        networkDetail: 'vonage:',
      });
      if (status !== 200) throw mapVonageHttp(status);

      let parsed: { messages?: unknown };
      try {
        parsed = JSON.parse(raw) as { messages?: unknown };
      } catch {
        throw new SmsError('unavailable', 'vonage: response is not JSON');
      }
      const messages = Array.isArray(parsed?.messages) ? (parsed.messages as VonageMessage[]) : [];
      if (messages.length === 0) throw new SmsError('unavailable', 'vonage: response has no messages');
      // A long text is split into parts, each with its own status: one failed part fails the send.
      for (const m of messages) {
        const s = String(m?.status ?? '');
        if (s !== '0') throw mapVonageStatus(s || '?', typeof m?.['error-text'] === 'string' ? m['error-text'] : '', scrubberFor(secrets, msg));
      }
      const id = messages[0]!['message-id'];
      return typeof id === 'string' && id ? { providerMessageId: id } : {};
    },
  };
}

export { create as createVonageConnector };
