// The connector contract: a connector is handed a finished message and delivers it.
export const usages = ['sign-in', 'register', 'reset', 'phone-change', 'phone-changed', 'welcome', 'generic'] as const;
/** The usages whose message carries a code (the others are notices: sms-notify). */
export const codeUsages = ['sign-in', 'register', 'reset', 'phone-change', 'generic'] as const;
export type Usage = (typeof usages)[number];

export interface SmsMessage {
  to: string;
  body: string;
  usage: Usage;
  locale?: string;
}

/** What a send is handed besides the message. */
export interface SendOptions {
  /**
   * Aborts the provider call: the attempt's timeout fired, or this instance lost the message's lease
   * (another one will send it). A connector that calls a provider passes it on, so the request is
   * closed and cannot deliver after the attempt was given up.
   */
  signal?: AbortSignal;
}

export interface SmsConnector {
  id: string;
  send(msg: SmsMessage, opts?: SendOptions): Promise<{ providerMessageId?: string }>;
}

export const smsErrorCodes = ['invalid_config', 'invalid_recipient', 'rate_limited', 'rejected', 'unavailable'] as const;
export type SmsErrorCode = (typeof smsErrorCodes)[number];

/** The only error a connector throws. `detail` goes to the log only (never a secret). */
export class SmsError extends Error {
  override name = 'SmsError';
  constructor(readonly code: SmsErrorCode, readonly detail?: string) {
    super(`sms ${code}`);
  }
}
