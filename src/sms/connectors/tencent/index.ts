// `tencent` connector: Tencent Cloud SMS `SendSms` (API 3.0, version 2021-01-11), a JSON POST signed
// with TC3-HMAC-SHA256 (sign.ts), sent through ../http.ts. The rendered message is the template's one parameter.
import { secretKeys, type TencentConfig } from './config.ts';
import { SmsError, type SmsConnector } from '../../types.ts';
import { JSON_CONTENT_TYPE, signTc3 } from './sign.ts';
import { requestProvider } from '../http.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { mapTencentError } from './errors.ts';

export const DEFAULT_API_BASE_URL = 'https://sms.tencentcloudapi.com';
export const API_VERSION = '2021-01-11';
const SERVICE = 'sms';

interface SendStatus {
  SerialNo?: unknown;
  PhoneNumber?: unknown;
  Code?: unknown;
  Message?: unknown;
}
interface SendSmsResponse {
  Response?: {
    SendStatusSet?: unknown;
    Error?: { Code?: unknown; Message?: unknown };
    RequestId?: unknown;
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function create(config: TencentConfig): SmsConnector {
  const base = (config.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  const secrets = secretValues(config, secretKeys);
  // The signed `host` must be the Host header fetch sends: the URL's host, with its port if any.
  const host = new URL(base).host;
  return {
    id: 'tencent',
    async send(msg, opts = {}) {
      if (!/^\+[1-9]\d{6,14}$/.test(msg.to)) throw new SmsError('invalid_recipient', 'tencent: recipient is not an E.164 number');
      const payload = JSON.stringify({
        PhoneNumberSet: [msg.to],
        SmsSdkAppId: config.smsSdkAppId,
        ...(config.signName ? { SignName: config.signName } : {}),
        TemplateId: config.templateId,
        TemplateParamSet: [msg.body],
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const { authorization } = signTc3({ secretId: config.secretId, secretKey: config.secretKey, service: SERVICE, host, timestamp, payload });

      const { status, text } = await requestProvider({
        signal: opts.signal,
        url: `${base}/`,
        method: 'POST',
        headers: {
          authorization,
          'content-type': JSON_CONTENT_TYPE,
          'x-tc-action': 'SendSms',
          'x-tc-version': API_VERSION,
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': config.region,
        },
        body: payload,
        timeoutMs: config.timeoutMs,
        networkDetail: 'tencent:',
      });

      const scrub = scrubberFor(secrets, msg);
      let response: SendSmsResponse['Response'];
      try {
        const parsed = JSON.parse(text) as SendSmsResponse;
        response = parsed && typeof parsed === 'object' && parsed.Response && typeof parsed.Response === 'object' ? parsed.Response : undefined;
      } catch {
        response = undefined;
      }
      const requestId = str(response?.RequestId);
      if (!response || status !== 200 || response.Error) {
        throw mapTencentError({ status, code: str(response?.Error?.Code), message: str(response?.Error?.Message), requestId }, scrub);
      }
      const set = Array.isArray(response.SendStatusSet) ? (response.SendStatusSet as SendStatus[]) : [];
      const mine = set.find((s) => s && s.PhoneNumber === msg.to) ?? (set.length === 1 ? set[0] : undefined);
      if (!mine) throw new SmsError('unavailable', `tencent: status=${status}${requestId ? ` requestId=${scrub.code(requestId, 64)}` : ''} no send status for the recipient`);
      if (mine.Code === 'Ok') {
        const serial = str(mine.SerialNo);
        return serial ? { providerMessageId: serial } : {};
      }
      throw mapTencentError({ status, code: str(mine.Code), message: str(mine.Message), requestId, perNumber: true }, scrub);
    },
  };
}

export { create as createTencentConnector };
