// `aliyun` connector: Alibaba Cloud SMS `SendSms` (dysmsapi, API version 2017-05-25) over a signed RPC
// GET request (sign.ts), sent through ../http.ts. The rendered message is the template's one variable.
import { randomUUID } from 'node:crypto';
import { secretKeys, type AliyunConfig } from './config.ts';
import { SmsError, type SmsConnector } from '../../types.ts';
import { signedQuery } from './sign.ts';
import { requestProvider } from '../http.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { mapAliyunError } from './errors.ts';

export const DEFAULT_API_BASE_URL = 'https://dysmsapi.aliyuncs.com';
export const API_VERSION = '2017-05-25';

/**
 * E.164 → PhoneNumbers: mainland China numbers as the bare 11 digits, every other number as
 * country code + number without `+` (Aliyun's international format). Undefined when not E.164.
 */
export function toAliyunNumber(e164: string): string | undefined {
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) return undefined;
  const digits = e164.slice(1);
  return /^861\d{10}$/.test(digits) ? digits.slice(2) : digits;
}

/** ISO 8601 UTC to the second, as Aliyun wants it: 2017-07-12T02:42:19Z. */
const timestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface SendSmsResponse {
  Code?: unknown;
  Message?: unknown;
  BizId?: unknown;
  RequestId?: unknown;
}

export function create(config: AliyunConfig): SmsConnector {
  const base = (config.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  const secrets = secretValues(config, secretKeys);
  return {
    id: 'aliyun',
    async send(msg, opts = {}) {
      const phone = toAliyunNumber(msg.to);
      if (!phone) throw new SmsError('invalid_recipient', 'aliyun: recipient is not an E.164 number');
      const params: Record<string, string> = {
        AccessKeyId: config.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: phone,
        RegionId: config.regionId,
        SignName: config.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: config.templateCode,
        TemplateParam: JSON.stringify({ [config.bodyParam]: msg.body }),
        Timestamp: timestamp(new Date()),
        Version: API_VERSION,
      };
      const url = `${base}/?${signedQuery('GET', params, config.accessKeySecret)}`;

      const { status, text } = await requestProvider({
        signal: opts.signal,
        url, method: 'GET', headers: { accept: 'application/json' }, timeoutMs: config.timeoutMs, networkDetail: 'aliyun:',
      });

      let body: SendSmsResponse | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object') body = parsed as SendSmsResponse;
      } catch {
        body = undefined;
      }
      if (status === 200 && body?.Code === 'OK') {
        return typeof body.BizId === 'string' && body.BizId ? { providerMessageId: body.BizId } : {};
      }
      throw mapAliyunError({
        status,
        code: typeof body?.Code === 'string' ? body.Code : undefined,
        message: typeof body?.Message === 'string' ? body.Message : undefined,
        requestId: typeof body?.RequestId === 'string' ? body.RequestId : undefined,
      }, scrubberFor(secrets, msg));
    },
  };
}

export { create as createAliyunConnector };
