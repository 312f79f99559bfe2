// `identify-phone`: asks for a phone number, normalizes it to E.164 and looks up the account.
// Registered and unregistered numbers get the same answer.
import { z } from 'zod';
import type { AuthenticatorFactory } from '../types.ts';
import { formatPhone } from './phone.ts';
import { readPhone } from './read-phone.ts';

const configSchema = z.object({}).strict();
type Config = z.infer<typeof configSchema>;

export const identifyPhone: AuthenticatorFactory<Config> = {
  id: 'identify-phone',
  displayName: 'Phone number',
  helpText: 'Asks for a phone number and finds the account it belongs to (without revealing whether it exists).',
  requirementChoices: ['REQUIRED'],
  identifies: true,
  proves: false,
  configSchema,
  defaultConfig: {},
  create(deps) {
    return {
      requiresUser: false,
      async authenticate(ctx) {
        // Carried over from another flow of this interaction with the number already proven.
        if (ctx.subject.phone && ctx.subject.phoneVerified === ctx.subject.phone) {
          const user = await deps.store.users.findByPhone(ctx.subject.phone);
          if (user) ctx.subject.userId = user.id;
          else delete ctx.subject.userId;
          return { kind: 'success' };
        }
        // A number typed in another flow of this interaction ("Forgot your password?") is filled in.
        const typed = ctx.subject.phoneTyped;
        return { kind: 'challenge', view: 'phone', ...(typed ? { model: { phoneValue: formatPhone(typed, deps.defaultRegion) } } : {}) };
      },
      async action(ctx) {
        const result = readPhone(ctx.form, deps.defaultRegion, deps.allowedCountries);
        if (!result.ok) return result.result;
        const user = await deps.store.users.findByPhone(result.e164);
        if (ctx.subject.phone !== result.e164) delete ctx.subject.phoneVerified;
        ctx.subject.phone = result.e164;
        delete ctx.subject.phoneTyped;
        if (user) ctx.subject.userId = user.id;
        else delete ctx.subject.userId;
        return { kind: 'success' };
      },
    };
  },
};
