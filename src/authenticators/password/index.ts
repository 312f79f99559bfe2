// `password`: checks the account's password (argon2id). Unknown numbers cost the same work and
// get the same answer; a hash with old parameters is replaced on a successful sign-in.
import { z } from 'zod';
import { limitNotice } from '../../guard/index.ts';
import type { AuthenticatorFactory, StepResult } from '../types.ts';

function lockedPage(retryAt: number | null, now: number): StepResult {
  return { kind: 'failure', error: 'locked', view: 'password', model: { limit: limitNotice('locked', retryAt, now) } };
}

const configSchema = z.object({
  /** Wrong passwords one interaction may try before it ends. @default 10 */
  maxFailuresPerInteraction: z.number().int().min(1).max(50).default(10),
}).strict();
type Config = z.infer<typeof configSchema>;

export const password: AuthenticatorFactory<Config> = {
  id: 'password',
  displayName: 'Password',
  helpText: 'Asks for the account password.',
  requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
  requiresUser: true,
  configSchema,
  defaultConfig: configSchema.parse({}),
  create(deps) {
    return {
      requiresUser: true,
      async configuredFor(user) { return Boolean(user.passwordHash); },
      async authenticate() {
        return { kind: 'challenge', view: 'password' };
      },
      async action(ctx) {
        const given = ctx.form.password ?? '';
        if (!given || given.length > 1024) {
          return { kind: 'failure', error: 'invalid_input', view: 'password', model: { passwordError: 'password_empty' } };
        }
        const failures = (ctx.state.failures as number | undefined) ?? 0;
        if (failures >= ctx.config.maxFailuresPerInteraction) {
          return { kind: 'failure', error: 'too_many_attempts', ends: true };
        }
        // The lockout is kept in the store (a new interaction does not reset it); the guess is counted
        // as a failure before the (slow) check, so parallel guesses cannot outrun it.
        const subject = { phone: ctx.subject.phone!, ...(ctx.user ? { userId: ctx.user.id } : {}), interactionUid: ctx.interaction.uid, ip: ctx.interaction.ip };
        const attempt = await deps.guard.beginProof(subject);
        if (!attempt.ok) return lockedPage(attempt.retryAt, deps.now());
        const result = await deps.passwords.verify(ctx.user?.passwordHash ?? null, given);
        const right = result.ok && Boolean(ctx.user);
        const after = await attempt.settle(right);
        if (!right) {
          ctx.state.failures = failures + 1;
          if (!after.ok) return lockedPage(after.retryAt, deps.now());
          if (failures + 1 >= ctx.config.maxFailuresPerInteraction) {
            return { kind: 'failure', error: 'too_many_attempts', ends: true };
          }
          return { kind: 'failure', error: 'password_invalid', view: 'password', model: { passwordError: 'password_invalid' } };
        }
        if (result.needsRehash) await deps.store.users.update(ctx.user!.id, { passwordHash: await deps.passwords.hash(given) });
        return { kind: 'success', amr: 'pwd' };
      },
    };
  },
};
