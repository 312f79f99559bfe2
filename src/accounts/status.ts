// Ending sessions, disabling and enabling, removing: the admin's controls over an account's access.
// Disabling and removing end every session, grant and token first; a disabled account cannot sign
// in (complete-flow) and its tokens find no account (src/oidc/accounts.ts).
import { audit, userTarget } from './audit.ts';
import type { AccountsDeps, ByActor, Change, Removed } from './types.ts';

export async function revokeSessions(deps: AccountsDeps, userId: string, opts: ByActor): Promise<Change> {
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  const revoked = await deps.store.oidc.revokeByAccountId(user.id);
  await audit(deps, opts.actor, 'user.revoke-sessions', userTarget(user.id), [{ path: '/sessions', from: revoked, to: 0 }]);
  deps.log?.info({ userId: user.id, revoked }, 'sessions and tokens revoked by an admin');
  return { kind: revoked > 0 ? 'changed' : 'unchanged', user, revoked };
}

export async function disable(deps: AccountsDeps, userId: string, opts: ByActor): Promise<Change> {
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  // Revoked even when already disabled: nothing of a disabled account may stay live.
  if (user.disabledAt !== null) return { kind: 'unchanged', user, revoked: await deps.store.oidc.revokeByAccountId(user.id) };
  const at = (deps.now ?? Date.now)();
  const updated = await deps.store.users.update(user.id, { disabledAt: at });
  if (!updated) return { kind: 'missing' };
  const revoked = await deps.store.oidc.revokeByAccountId(user.id);
  await audit(deps, opts.actor, 'user.disable', userTarget(user.id), [{ path: '/disabledAt', from: null, to: at }]);
  deps.log?.info({ userId: user.id, revoked }, 'account disabled; sessions and tokens revoked');
  return { kind: 'changed', user: updated, revoked };
}

export async function enable(deps: AccountsDeps, userId: string, opts: ByActor): Promise<Change> {
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  if (user.disabledAt === null) return { kind: 'unchanged', user, revoked: 0 };
  const updated = await deps.store.users.update(user.id, { disabledAt: null });
  if (!updated) return { kind: 'missing' };
  await audit(deps, opts.actor, 'user.enable', userTarget(user.id), [{ path: '/disabledAt', from: user.disabledAt, to: null }]);
  deps.log?.info({ userId: user.id }, 'account enabled');
  return { kind: 'changed', user: updated, revoked: 0 };
}

/** Revokes every session, grant and token of the account, then deletes it. */
export async function remove(deps: AccountsDeps, userId: string, opts: ByActor): Promise<Removed> {
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  const revoked = await deps.store.oidc.revokeByAccountId(user.id);
  if (!(await deps.store.users.remove(user.id))) return { kind: 'missing' };
  // What was removed, never the password hash.
  await audit(deps, opts.actor, 'user.remove', userTarget(user.id), [
    { path: '', from: { phone: user.phone, name: user.name, email: user.email, roles: user.roles, disabledAt: user.disabledAt, password: user.passwordHash ? 'set' : 'none' }, to: null },
  ]);
  deps.log?.info({ userId: user.id, revoked }, 'account removed; sessions and tokens revoked');
  return { kind: 'removed', revoked };
}
