// `set-password`: asks for a new password (twice), checks length and the common-password list,
// and keeps its hash for the flow's end (registration creates the account, reset replaces it).
import { z } from 'zod';
import { checkNewPassword } from '../password/policy.ts';
import type { AuthenticatorFactory } from '../types.ts';

const configSchema = z.object({
  /** Whether the person may skip this step (registration's optional password). @default false */
  optional: z.boolean().default(false),
}).strict();
type Config = z.infer<typeof configSchema>;

export const setPassword: AuthenticatorFactory<Config> = {
  id: 'set-password',
  displayName: 'New password',
  helpText: 'Asks for a new password; the flow applies it when it completes.',
  requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
  proves: false,
  configSchema,
  defaultConfig: configSchema.parse({}),
  create(deps) {
    const view = (optional: boolean, extra: Record<string, unknown> = {}) => ({ optional, ...extra });
    return {
      requiresUser: false,
      async authenticate(ctx) {
        return { kind: 'challenge', view: 'set-password', model: view(ctx.config.optional) };
      },
      async action(ctx) {
        if (ctx.form.skip !== undefined && ctx.config.optional) {
          delete ctx.subject.newPasswordHash;
          return { kind: 'success' };
        }
        const pw = ctx.form.password ?? '';
        if (pw !== (ctx.form.confirm ?? '')) {
          return { kind: 'failure', error: 'password_rejected', view: 'set-password', model: view(ctx.config.optional, { passwordError: 'password_mismatch' }) };
        }
        const problem = checkNewPassword(pw, {
          ...(ctx.subject.phone ? { phone: ctx.subject.phone } : {}),
          ...(ctx.subject.profile?.name ? { name: ctx.subject.profile.name } : {}),
        });
        if (problem) {
          return { kind: 'failure', error: 'password_rejected', view: 'set-password', model: view(ctx.config.optional, { passwordError: `password_${problem}` }) };
        }
        ctx.subject.newPasswordHash = await deps.passwords.hash(pw);
        return { kind: 'success' };
      },
    };
  },
};
