// What finishing a flow does, by its kind: sign in, create the account, or set the new password
// (and end the account's other sessions). Returns what the web layer must do next.
import type { Logger } from 'pino';
import type { FlowSubject } from '../authenticators/types.ts';
import type { LoadedFlow } from '../flows/loader.ts';
import type { Store } from '../store/types.ts';
import type { Guard } from '../guard/index.ts';

export type Completion =
  | { kind: 'login'; accountId: string; amr: string[] }
  | { kind: 'switch'; flowId: string; carry: boolean; notice: string }
  | { kind: 'page'; view: string; model: Record<string, unknown> };

export interface CompleteDeps { store: Store; guard: Guard; signInFlow: string; hasFlow(id: string): boolean; log: Logger }

export async function completeFlow(deps: CompleteDeps, flow: LoadedFlow, subject: FlowSubject, amr: string[]): Promise<Completion> {
  const done = await complete(deps, flow, subject, amr);
  // A finished proof is the only thing that starts the failure count over.
  if (done.kind === 'login' || (done.kind === 'switch' && amr.length > 0)) {
    await deps.guard.succeeded({ phone: subject.phone!, ...(done.kind === 'login' ? { userId: done.accountId } : {}) });
  }
  return done;
}

async function complete(deps: CompleteDeps, flow: LoadedFlow, subject: FlowSubject, amr: string[]): Promise<Completion> {
  const phone = subject.phone!;
  switch (flow.kind) {
    case 'sign-in':
      // A flow whose conditions skipped every proof signs no one in, and answers everyone alike.
      if (amr.length === 0) return { kind: 'page', view: 'error', model: { message: 'not_authenticated' } };
      if (subject.userId) return { kind: 'login', accountId: subject.userId, amr };
      if (subject.phoneVerified === phone && deps.hasFlow('register')) {
        return { kind: 'switch', flowId: 'register', carry: true, notice: 'no_account_register' };
      }
      return { kind: 'page', view: 'interaction/no-account', model: { phone, canRegister: deps.hasFlow('register') } };

    case 'register': {
      if (subject.phoneVerified !== phone) return { kind: 'page', view: 'error', model: { message: 'invalid_input' } };
      if (await deps.store.users.findByPhone(phone)) return { kind: 'page', view: 'interaction/account-exists', model: { phone } };
      try {
        const user = await deps.store.users.create({
          phone, phoneVerified: true, name: subject.profile?.name ?? null, email: subject.profile?.email ?? null,
          passwordHash: subject.newPasswordHash ?? null,
        });
        deps.log.info({ userId: user.id }, 'account created');
        return { kind: 'login', accountId: user.id, amr };
      } catch {
        return { kind: 'page', view: 'interaction/account-exists', model: { phone } };
      }
    }

    case 'reset-credentials': {
      const user = subject.phoneVerified === phone ? await deps.store.users.findByPhone(phone) : undefined;
      if (!user || !subject.newPasswordHash) {
        return { kind: 'page', view: 'interaction/no-account', model: { phone, canRegister: deps.hasFlow('register') } };
      }
      await deps.store.users.update(user.id, { passwordHash: subject.newPasswordHash });
      const revoked = await deps.store.oidc.revokeByAccountId(user.id);
      await deps.guard.succeeded({ phone, userId: user.id });
      deps.log.info({ userId: user.id, revoked }, 'password reset; sessions and tokens revoked');
      if (flow.afterReset === 'login') return { kind: 'login', accountId: user.id, amr };
      return { kind: 'switch', flowId: deps.signInFlow, carry: false, notice: 'password_reset_done' };
    }
  }
}
