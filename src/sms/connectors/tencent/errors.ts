// Maps Tencent Cloud failures (Response.Error, a number's SendStatus Code, HTTP status, network) to our
// SmsError codes. Tencent answers API errors with HTTP 200 and `Response.Error`.
import { SmsError, type SmsErrorCode } from '../../types.ts';
import { codeFor, codeForStatus } from '../codes.ts';
import { scrubDetail, type NetworkFailure } from '../http.ts';

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

/** Log-safe text: numbers (even short ones) masked, bounded. */
export function cleanMessage(message: unknown): string {
  return scrubDetail(String(message ?? ''), [], { numbers: 'short' });
}

export interface TencentFailure {
  status: number;
  code?: string;
  message?: string;
  requestId?: string;
  /** Whether the code came from the number's SendStatus rather than from Response.Error. */
  perNumber?: boolean;
}

export function mapTencentError(f: TencentFailure): SmsError {
  const code = typeof f.code === 'string' ? f.code.slice(0, 100) : undefined;
  const requestId = typeof f.requestId === 'string' ? ` requestId=${f.requestId.slice(0, 64)}` : '';
  const where = f.perNumber ? ' (recipient status)' : '';
  const detail = `tencent: status=${f.status} code=${code ?? '-'}${where}${requestId} ${cleanMessage(f.message)}`.trimEnd();
  const mapped = codeFor(code, byCode, byPrefix);
  if (mapped) return new SmsError(mapped, detail);
  if (f.status === 200 && !code) return new SmsError('unavailable', `${detail} unexpected response`);
  return new SmsError(codeForStatus(f.status), detail);
}

/** The detail of a request without an answer: timeout, refused, reset, DNS. */
export function networkDetail(f: NetworkFailure): string {
  if (f.timeout) return `tencent: no response within ${f.timeoutMs}ms`;
  return `tencent: network error ${String(f.cause.code ?? f.name ?? 'unknown').slice(0, 60)}`;
}
