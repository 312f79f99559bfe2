// Maps Alibaba Cloud failures (SendSms `Code`, gateway errors, HTTP status, network) to our SmsError codes.
// Business errors (isv.*, isp.*) come with HTTP 200; gateway errors (keys, signature, throttling) with 4xx.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeFor, codeForStatus } from '../codes.ts';
import type { Scrubber } from '../scrub.ts';

const byCode: Record<string, SmsErrorCode> = {
  'isv.BUSINESS_LIMIT_CONTROL': 'rate_limited', // per-number minute/hour flow control
  'isv.DAY_LIMIT_CONTROL': 'rate_limited',
  'isv.MONTH_LIMIT_CONTROL': 'rate_limited',
  'isv.MOBILE_NUMBER_ILLEGAL': 'invalid_recipient',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED': 'invalid_recipient',
  'isv.MOBILE_COUNT_OVER_LIMIT': 'rejected',
  'isv.BLACK_KEY_CONTROL_LIMIT': 'rejected', // content hit a blocked keyword
  'isv.SMS_CONTENT_ILLEGAL': 'rejected',
  'isv.PARAM_LENGTH_LIMIT': 'rejected', // message longer than the variable allows
  'isv.PARAM_NOT_SUPPORT_URL': 'rejected',
  'isv.SMS_SIGNATURE_ILLEGAL': 'invalid_config',
  'isv.SIGN_NAME_ILLEGAL': 'invalid_config',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL': 'invalid_config',
  'isv.SMS_TEMPLATE_ILLEGAL': 'invalid_config',
  'isv.TEMPLATE_MISSING_PARAMETERS': 'invalid_config', // template has variables other than bodyParam
  'isv.TEMPLATE_PARAMS_ILLEGAL': 'invalid_config',
  'isv.INVALID_JSON_PARAM': 'invalid_config',
  'isv.INVALID_PARAMETERS': 'invalid_config',
  'isv.AMOUNT_NOT_ENOUGH': 'invalid_config', // account balance: needs an operator, not a retry
  'isv.OUT_OF_SERVICE': 'invalid_config',
  'isv.PRODUCT_UN_SUBSCRIPT': 'invalid_config',
  'isv.PRODUCT_UNSUBSCRIBE': 'invalid_config',
  'isv.ACCOUNT_NOT_EXISTS': 'invalid_config',
  'isv.ACCOUNT_ABNORMAL': 'invalid_config',
  'isv.DENY_IP_RANGE': 'invalid_config',
  'isp.RAM_PERMISSION_DENY': 'invalid_config',
  SignatureDoesNotMatch: 'invalid_config', // wrong AccessKeySecret
  IncompleteSignature: 'invalid_config',
  'InvalidTimeStamp.Expired': 'invalid_config', // host clock is off
  SignatureNonceUsed: 'unavailable', // the next attempt has a new nonce
  ServiceUnavailable: 'unavailable',
};

const byPrefix: [string, SmsErrorCode][] = [
  ['InvalidAccessKeyId', 'invalid_config'], // .NotFound, .Inactive
  ['Forbidden', 'invalid_config'],
  ['Throttling', 'rate_limited'],
  ['isp.', 'unavailable'], // isp.SYSTEM_ERROR and other provider-side faults
  ['InternalError', 'unavailable'],
];

/** Aliyun quotes its whole string-to-sign (every parameter, the message too) after a signature mismatch: cut it first. */
const STRING_TO_SIGN = /\s*server string to sign is:[\s\S]*$/i;

export interface AliyunFailure {
  status: number;
  code?: string;
  message?: string;
  requestId?: string;
}

/** `f`'s text reaches the detail through `scrub` only. */
export function mapAliyunError(f: AliyunFailure, scrub: Scrubber): SmsError {
  const code = typeof f.code === 'string' ? f.code : undefined;
  const requestId = typeof f.requestId === 'string' ? ` requestId=${scrub.code(f.requestId, 64)}` : '';
  const detail = `aliyun: status=${f.status} code=${scrub.code(code)}${requestId} ${scrub.text(String(f.message ?? '').replace(STRING_TO_SIGN, ''))}`.trimEnd();
  const mapped = codeFor(code, byCode, byPrefix);
  if (mapped) return new SmsError(mapped, detail);
  if (f.status === 200 && !code) return new SmsError('unavailable', `${detail} unexpected response`);
  return new SmsError(codeForStatus(f.status), detail);
}
