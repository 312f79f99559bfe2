// A new password (the reset flow) and a new phone number (the change-phone flow): both end the
// account's other sessions. A disabled account changes neither.
import { revokeOtherDevices } from '../oidc/sessions.ts';
import { audit, userTarget } from './audit.ts';
import type { AccountsDeps, PasswordReset, PhoneChange } from './types.ts';

/** Sets the new hash, ends every session, grant and token of the account, and starts its failure count over. */
export async function resetPassword(deps: AccountsDeps, userId: string, passwordHash: string, opts: { actor?: string } = {}): Promise<PasswordReset> {
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  if (user.disabledAt !== null) return { kind: 'disabled' };
  const updated = await deps.store.users.update(user.id, { passwordHash });
  if (!updated) return { kind: 'missing' };
  const revoked = await deps.store.oidc.revokeByAccountId(user.id);
  await deps.guard.succeeded({ phone: user.phone, userId: user.id });
  deps.log?.info({ userId: user.id, revoked }, 'password reset; sessions and tokens revoked');
  if (opts.actor !== undefined) {
    await audit(deps, opts.actor, 'user.reset-password', userTarget(user.id), [{ path: '/password', from: user.passwordHash ? 'set' : 'none', to: 'set' }]);
  }
  return { kind: 'reset', user: updated, revoked };
}

/**
 * Sets a verified new number, unless another account has it; then ends the account's other
 * devices (every session but `keepSessionUid`, and its grants). Without `keepSessionUid`, all.
 */
export async function changePhone(deps: AccountsDeps, userId: string, phone: string, opts: { keepSessionUid?: string; actor?: string } = {}): Promise<PhoneChange> {
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  if (user.disabledAt !== null) return { kind: 'disabled' };
  const outcome = await deps.store.users.updatePhone(user.id, phone);
  if (outcome === 'missing') return { kind: 'missing' };
  if (outcome === 'taken') {
    deps.log?.info({ userId: user.id }, 'phone change refused: the new number belongs to another account');
    return { kind: 'taken' };
  }
  const revoked = await revokeOtherDevices(deps.store, user.id, opts.keepSessionUid);
  if (opts.actor !== undefined) {
    await audit(deps, opts.actor, 'user.change-phone', userTarget(user.id), [{ path: '/phone', from: user.phone, to: phone }]);
  }
  return { kind: 'changed', user: { ...user, phone, phoneVerified: true }, revoked };
}
