// `textlocal` connector: POST {apiBaseUrl}/send/ as application/x-www-form-urlencoded with
// `apikey` (or `username` + `hash`), `numbers` (international, no `+`), `message`, `sender`.
// Credentials travel in the body, never in the URL. Textlocal answers HTTP 200 for failures too:
// `status: "success"` carries `messages: [{ id, recipient }]`, `status: "failure"` an `errors` list.
// No SDK: one request through ../http.ts (a per-request timeout, no redirects followed).
// Field names and the answer shape were confirmed from captured Textlocal answers and client code;
// Textlocal's `unicode` option is not sent (not confirmed for the UK API).
import { SmsError, type SmsConnector } from '../../types.ts';
import { requestProvider } from '../http.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { secretKeys, type TextlocalConfig } from './config.ts';
import { fromFailure, fromStatus } from './errors.ts';

/** E.164 (`+` optional) → digits with country code; anything else never reaches the provider. */
function internationalDigits(to: string): string {
  const digits = to.trim().replace(/^\+/, '');
  if (!/^[1-9][0-9]{5,14}$/.test(digits)) throw new SmsError('invalid_recipient', 'textlocal: recipient is not an international number');
  return digits;
}

interface Answer { status?: unknown; errors?: unknown; warnings?: unknown; messages?: unknown; batch_id?: unknown }

export function create(config: TextlocalConfig): SmsConnector {
  const url = `${config.apiBaseUrl.replace(/\/+$/, '')}/send/`;
  const secrets = secretValues(config, secretKeys);
  const credentials: Record<string, string> = config.apiKey !== undefined
    ? { apikey: config.apiKey }
    : { username: config.username!, hash: config.hash! };
  return {
    id: 'textlocal',
    async send(msg, opts = {}) {
      const form = new URLSearchParams({ ...credentials, numbers: internationalDigits(msg.to), message: msg.body, sender: config.sender });
      const { status, text: raw } = await requestProvider({
        signal: opts.signal,
        url,
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: form.toString(),
        redirect: 'manual',
        timeoutMs: config.timeoutMs,
        networkDetail: 'textlocal:',
      });
      const scrub = scrubberFor(secrets, msg);
      let answer: Answer | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === 'object' && parsed !== null) answer = parsed as Answer;
      } catch { /* not Textlocal's JSON */ }

      if (status < 200 || status >= 300) {
        throw answer?.status === 'failure' ? fromFailure(status, answer, scrub) : fromStatus(status);
      }
      if (answer?.status === 'failure') throw fromFailure(status, answer, scrub);
      if (answer?.status !== 'success') {
        // 200 without Textlocal's answer (a captive proxy, an error page): nothing says it was sent.
        throw new SmsError('unavailable', `textlocal: status=${status} ${answer ? 'unexpected answer' : '(non-JSON body)'}`);
      }
      const first = Array.isArray(answer.messages) ? (answer.messages[0] as { id?: unknown } | undefined) : undefined;
      const id = first?.id ?? answer.batch_id;
      return typeof id === 'string' || typeof id === 'number' ? { providerMessageId: String(id) } : {};
    },
  };
}

export { create as createTextlocalConnector };
