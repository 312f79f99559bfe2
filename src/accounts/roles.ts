// Roles an admin grants (`admin`: the admin API and console). An unknown role is the caller's mistake.
import { badRequest } from '../errors.ts';
import { audit, userTarget } from './audit.ts';
import { ROLES, type AccountsDeps, type ByActor, type Change, type Role } from './types.ts';

function checkRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw badRequest('invalid_role', `unknown role '${role.slice(0, 40)}' (known: ${ROLES.join(', ')})`, [{ pointer: '/role', detail: 'unknown role' }]);
  }
}

async function setRole(deps: AccountsDeps, userId: string, role: string, granted: boolean, opts: ByActor): Promise<Change> {
  checkRole(role);
  const user = await deps.store.users.findById(userId);
  if (!user) return { kind: 'missing' };
  if (user.roles.includes(role) === granted) return { kind: 'unchanged', user, revoked: 0 };
  const roles = granted ? [...user.roles, role] : user.roles.filter((r) => r !== role);
  const updated = await deps.store.users.update(user.id, { roles });
  if (!updated) return { kind: 'missing' };
  await audit(deps, opts.actor, granted ? 'user.grant-role' : 'user.revoke-role', userTarget(user.id), [{ path: '/roles', from: user.roles, to: roles }]);
  deps.log?.info({ userId: user.id, role }, granted ? 'role granted' : 'role revoked');
  return { kind: 'changed', user: updated, revoked: 0 };
}

export const grantRole = (deps: AccountsDeps, userId: string, role: string, opts: ByActor) => setRole(deps, userId, role, true, opts);
export const revokeRole = (deps: AccountsDeps, userId: string, role: string, opts: ByActor) => setRole(deps, userId, role, false, opts);
