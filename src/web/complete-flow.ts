// What finishing a flow does, by its kind: sign in, create the account, set the new password
// (and end the account's other sessions), or change the signed-in account's phone number (and end
// its other devices). Returns what the web layer must do next. The account work itself is
// src/accounts' (the admin API and the CLI call the same library); a disabled account signs in nowhere.
import type { Logger } from 'pino';
import { createAccounts, type Accounts } from '../accounts/index.ts';
import type { FlowSubject } from '../authenticators/types.ts';
import type { LoadedFlow } from '../flows/loader.ts';
import type { SmsQueue } from '../sms/delivery/worker.ts';
import { SmsError } from '../sms/types.ts';
import type { Store } from '../store/types.ts';
import type { Guard } from '../guard/index.ts';

export type Completion =
  | { kind: 'login'; accountId: string; amr: string[]; finishedFlow?: string }
  | { kind: 'switch'; flowId: string; carry: boolean; notice: string }
  | { kind: 'page'; view: string; model: Record<string, unknown> };

export interface CompleteDeps { store: Store; guard: Guard; sms: SmsQueue; signInFlow: string; hasFlow(id: string): boolean; log: Logger; now?: () => number; accounts?: Accounts }

const accountsOf = (deps: CompleteDeps) => deps.accounts ?? createAccounts(deps);
const disabledPage: Completion = { kind: 'page', view: 'interaction/account-disabled', model: {} };

/** The provider session this interaction belongs to (change-phone keeps it, ends the others). */
export interface CurrentSession { uid?: string }

/** Queues the messages steps kept for a successful finish (sms-notify `when: finish`). */
async function queuePending(deps: CompleteDeps, subject: FlowSubject): Promise<void> {
  for (const msg of subject.pendingSms ?? []) {
    // A notice counts against the global budget only; when that is spent, the notice is skipped.
    if (!(await deps.guard.beforeSend({ phone: msg.to, ip: '', kind: 'notice' })).ok) continue;
    try {
      await deps.sms.enqueue({ ...msg, expiresAt: (deps.now ?? Date.now)() + 10 * 60_000 });
    } catch (err) {
      if (!(err instanceof SmsError)) throw err;
      deps.log.warn({ usage: msg.usage, code: err.code }, 'a message for the end of the flow could not be queued');
    }
  }
}

/** change-phone: both proofs done → the new number replaces the old one, unless another account has it. */
async function changePhone(deps: CompleteDeps, flow: LoadedFlow, subject: FlowSubject, amr: string[], session: CurrentSession): Promise<Completion> {
  const user = subject.userId ? await deps.store.users.findById(subject.userId) : undefined;
  // amr holds only proofs of the person (a code to the new number adds none).
  if (!user || user.phone !== subject.phone || amr.length === 0) return { kind: 'page', view: 'error', model: { message: 'not_authenticated' } };
  const next = subject.newPhone;
  if (!next || subject.newPhoneVerified !== next) return { kind: 'page', view: 'error', model: { message: 'invalid_input' } };
  const outcome = await accountsOf(deps).changePhone(user.id, next, session.uid ? { keepSessionUid: session.uid } : {});
  if (outcome.kind === 'missing') return { kind: 'page', view: 'error', model: { message: 'not_authenticated' } };
  if (outcome.kind === 'disabled') return disabledPage;
  if (outcome.kind === 'taken') return { kind: 'page', view: 'interaction/phone-taken', model: {} };
  await queuePending(deps, subject);
  deps.log.info({ userId: user.id, revoked: outcome.revoked }, 'phone number changed; the old number notified, other devices signed out');
  return { kind: 'login', accountId: user.id, amr, finishedFlow: flow.id };
}

export async function completeFlow(deps: CompleteDeps, flow: LoadedFlow, subject: FlowSubject, amr: string[], session: CurrentSession = {}): Promise<Completion> {
  const done = await complete(deps, flow, subject, amr, session);
  // A finished proof is the only thing that starts the failure count over.
  if (done.kind === 'login' || (done.kind === 'switch' && amr.length > 0)) {
    await deps.guard.succeeded({ phone: subject.phone!, ...(done.kind === 'login' ? { userId: done.accountId } : {}) });
  }
  return done;
}

async function complete(deps: CompleteDeps, flow: LoadedFlow, subject: FlowSubject, amr: string[], session: CurrentSession): Promise<Completion> {
  const phone = subject.phone!;
  switch (flow.kind) {
    case 'sign-in':
      // A flow whose conditions skipped every proof signs no one in, and answers everyone alike.
      if (amr.length === 0) return { kind: 'page', view: 'error', model: { message: 'not_authenticated' } };
      if (subject.userId) {
        // Proven, but disabled by an admin: a page that says so, not a login.
        const user = await deps.store.users.findById(subject.userId);
        if (user?.disabledAt != null) {
          deps.log.info({ userId: user.id }, 'sign-in refused: the account is disabled');
          return disabledPage;
        }
        await queuePending(deps, subject);
        return { kind: 'login', accountId: subject.userId, amr };
      }
      if (subject.phoneVerified === phone && deps.hasFlow('register')) {
        return { kind: 'switch', flowId: 'register', carry: true, notice: 'no_account_register' };
      }
      return { kind: 'page', view: 'interaction/no-account', model: { phone, canRegister: deps.hasFlow('register') } };

    case 'register': {
      if (subject.phoneVerified !== phone) return { kind: 'page', view: 'error', model: { message: 'invalid_input' } };
      // A number with an account (a disabled one too) gets no second account.
      const created = await accountsOf(deps).create({
        phone, phoneVerified: true, name: subject.profile?.name ?? null, email: subject.profile?.email ?? null,
        passwordHash: subject.newPasswordHash ?? null,
      });
      if (created.kind === 'taken') return { kind: 'page', view: 'interaction/account-exists', model: { phone } };
      await queuePending(deps, subject);
      return { kind: 'login', accountId: created.user.id, amr };
    }

    case 'reset-credentials': {
      const user = subject.phoneVerified === phone ? await deps.store.users.findByPhone(phone) : undefined;
      if (!user || !subject.newPasswordHash) {
        return { kind: 'page', view: 'interaction/no-account', model: { phone, canRegister: deps.hasFlow('register') } };
      }
      const reset = await accountsOf(deps).resetPassword(user.id, subject.newPasswordHash);
      if (reset.kind === 'disabled') return disabledPage;
      if (reset.kind === 'missing') return { kind: 'page', view: 'interaction/no-account', model: { phone, canRegister: deps.hasFlow('register') } };
      await queuePending(deps, subject);
      if (flow.afterReset === 'login') return { kind: 'login', accountId: user.id, amr };
      // The number the reset proved goes along: sign-in asks for no second code.
      return { kind: 'switch', flowId: deps.signInFlow, carry: true, notice: 'password_reset_done' };
    }

    case 'change-phone':
      return changePhone(deps, flow, subject, amr, session);
  }
}
