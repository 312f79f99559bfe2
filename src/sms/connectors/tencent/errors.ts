// Maps Tencent Cloud failures (Response.Error, a number's SendStatus Code, HTTP status, network) to our
// SmsError codes. Tencent answers API errors with HTTP 200 and `Response.Error`.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeFor, codeForStatus } from '../codes.ts';
import type { Scrubber } from '../scrub.ts';

const byCode: Record<string, SmsErrorCode> = {
  'FailedOperation.InsufficientBalanceInSmsPackage': 'invalid_config', // package used up: an operator's job
  'FailedOperation.SignatureIncorrectOrUnapproved': 'invalid_config',
  'FailedOperation.TemplateIncorrectOrUnapproved': 'invalid_config',
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': 'invalid_config', // template is not just {1}
  'FailedOperation.TemplateUnapprovedOrNotExist': 'invalid_config',
  'FailedOperation.ContainSensitiveWord': 'rejected',
  'FailedOperation.PhoneNumberInBlacklist': 'rejected', // recipient opted out
  'FailedOperation.MarketingSendTimeConstraint': 'rejected',
  'InvalidParameterValue.IncorrectPhoneNumber': 'invalid_recipient',
  'InvalidParameterValue.ContentLengthLimit': 'rejected',
  'InvalidParameterValue.TemplateParameterLengthLimit': 'rejected',
  'InvalidParameterValue.TemplateParameterFormatError': 'rejected',
  'InvalidParameterValue.SdkAppIdNotExist': 'invalid_config',
  'LimitExceeded.PhoneNumberCountLimit': 'rejected', // too many numbers in one request (never from us)
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber': 'rejected',
  'UnsupportedOperation.UnsuportedRegion': 'invalid_recipient', // (sic) Tencent's spelling
  'UnsupportedOperation.UnsupportedRegion': 'invalid_recipient',
};

const byPrefix: [string, SmsErrorCode][] = [
  ['AuthFailure', 'invalid_config'], // .SignatureFailure, .SecretIdNotFound, .SignatureExpire, ...
  ['UnauthorizedOperation', 'invalid_config'],
  ['RequestLimitExceeded', 'rate_limited'],
  ['LimitExceeded', 'rate_limited'], // .PhoneNumberDailyLimit, .PhoneNumberThirtySecondLimit, .DeliveryFrequencyLimit, ...
  ['InternalError', 'unavailable'],
  ['ResourceUnavailable', 'unavailable'],
];

export interface TencentFailure {
  status: number;
  code?: string;
  message?: string;
  requestId?: string;
  /** Whether the code came from the number's SendStatus rather than from Response.Error. */
  perNumber?: boolean;
}

/** `f`'s text reaches the detail through `scrub` only. */
export function mapTencentError(f: TencentFailure, scrub: Scrubber): SmsError {
  const code = typeof f.code === 'string' ? f.code : undefined;
  const requestId = typeof f.requestId === 'string' ? ` requestId=${scrub.code(f.requestId, 64)}` : '';
  const where = f.perNumber ? ' (recipient status)' : '';
  const detail = `tencent: status=${f.status} code=${scrub.code(code)}${where}${requestId} ${scrub.text(f.message)}`.trimEnd();
  const mapped = codeFor(code, byCode, byPrefix);
  if (mapped) return new SmsError(mapped, detail);
  if (f.status === 200 && !code) return new SmsError('unavailable', `${detail} unexpected response`);
  return new SmsError(codeForStatus(f.status), detail);
}
