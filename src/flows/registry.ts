// The authenticator registry: the one piece of module-level state, filled at start-up.
import type { AuthenticatorFactory } from '../authenticators/types.ts';
import { identifyPhone } from '../authenticators/identify-phone/index.ts';
import { smsOtp } from '../authenticators/sms-otp/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFactory = AuthenticatorFactory<any>;

export function builtinAuthenticators(): Map<string, AnyFactory> {
  return new Map<string, AnyFactory>([identifyPhone, smsOtp].map((f) => [f.id, f as AnyFactory]));
}
