// `register-profile`: collects the profile fields a registration asks for (name, email); which
// fields appear and which are required is step config.
import { z } from 'zod';
import type { AuthenticatorFactory } from '../types.ts';
import { FORBIDDEN_CHARACTERS as FORBIDDEN } from '../forbidden-characters.ts';

const field = z.enum(['required', 'optional', 'off']);
const configSchema = z.object({
  /** @default required */
  name: field.default('required'),
  /** @default optional */
  email: field.default('optional'),
}).strict();
type Config = z.infer<typeof configSchema>;

const MAX_NAME = 100;
const email = z.string().max(254).email();

export const registerProfile: AuthenticatorFactory<Config> = {
  id: 'register-profile',
  displayName: 'Profile',
  helpText: 'Asks for the new account’s name and email address.',
  requirementChoices: ['REQUIRED', 'DISABLED'],
  proves: false,
  configSchema,
  defaultConfig: configSchema.parse({}),
  create() {
    return {
      requiresUser: false,
      async authenticate(ctx) {
        return { kind: 'challenge', view: 'profile', model: { fields: ctx.config, values: ctx.subject.profile ?? {} } };
      },
      async action(ctx) {
        const name = (ctx.form.name ?? '').normalize('NFC').trim();
        const mail = (ctx.form.email ?? '').trim();
        const errors: Record<string, string> = {};
        if (ctx.config.name !== 'off') {
          if (!name && ctx.config.name === 'required') errors.nameError = 'name_required';
          else if (name.length > MAX_NAME) errors.nameError = 'name_too_long';
          else if (FORBIDDEN.test(name)) errors.nameError = 'name_bad_characters';
        }
        if (ctx.config.email !== 'off') {
          if (!mail && ctx.config.email === 'required') errors.emailError = 'email_required';
          else if (mail && !email.safeParse(mail).success) errors.emailError = 'email_invalid';
        }
        const values = { name: name.slice(0, MAX_NAME), email: mail.slice(0, 254) };
        if (Object.keys(errors).length) {
          return { kind: 'failure', error: 'invalid_input', view: 'profile', model: { fields: ctx.config, values, ...errors } };
        }
        ctx.subject.profile = {
          ...(ctx.config.name !== 'off' && name ? { name } : {}),
          ...(ctx.config.email !== 'off' && mail ? { email: mail.toLowerCase() } : {}),
        };
        return { kind: 'success' };
      },
    };
  },
};
