// `new-phone`: asks the signed-in person for the number to change to and keeps it as the
// candidate (`subject.newPhone`), not as the identity. It never looks the number up, so a number
// that belongs to another account gets the same answer as a free one; completing the
// change-phone flow decides.
import { z } from 'zod';
import type { AuthenticatorFactory } from '../types.ts';
import { readPhone } from '../identify-phone/read-phone.ts';

const configSchema = z.object({}).strict();
type Config = z.infer<typeof configSchema>;

export const newPhone: AuthenticatorFactory<Config> = {
  id: 'new-phone',
  displayName: 'New phone number',
  helpText: 'Asks the signed-in person for a new phone number (change-phone flows); a later sms-otp step with `sendTo: new-phone` proves it.',
  requirementChoices: ['REQUIRED'],
  proves: false,
  requiresUser: true,
  configSchema,
  defaultConfig: {},
  create(deps) {
    return {
      requiresUser: true,
      async authenticate() {
        return { kind: 'challenge', view: 'phone' };
      },
      async action(ctx) {
        const result = readPhone(ctx.form, deps.defaultRegion, deps.allowedCountries);
        if (!result.ok) return result.result;
        if (result.e164 === ctx.subject.phone) {
          return { kind: 'failure', error: 'invalid_input', view: 'phone', model: { phoneError: 'phone_same_number', phoneValue: ctx.form.phone } };
        }
        if (ctx.subject.newPhone !== result.e164) delete ctx.subject.newPhoneVerified;
        ctx.subject.newPhone = result.e164;
        return { kind: 'success' };
      },
    };
  },
};
