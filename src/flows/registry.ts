// The authenticator registry: the one piece of module-level state, filled at start-up.
import type { AuthenticatorFactory } from '../authenticators/types.ts';
import { conditionUserAttribute, conditionUserConfigured } from '../authenticators/conditions/index.ts';
import { identifyPhone } from '../authenticators/identify-phone/index.ts';
import { newPhone } from '../authenticators/new-phone/index.ts';
import { password } from '../authenticators/password/index.ts';
import { registerProfile } from '../authenticators/register-profile/index.ts';
import { setPassword } from '../authenticators/set-password/index.ts';
import { smsNotify } from '../authenticators/sms-notify/index.ts';
import { smsOtp } from '../authenticators/sms-otp/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFactory = AuthenticatorFactory<any>;

export function builtinAuthenticators(): Map<string, AnyFactory> {
  return new Map<string, AnyFactory>([identifyPhone, smsOtp, password, setPassword, registerProfile, smsNotify, newPhone, conditionUserConfigured, conditionUserAttribute].map((f) => [f.id, f as AnyFactory]));
}
