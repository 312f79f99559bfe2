// The account library: every change to an account, for the hosted pages (complete-flow), the
// admin API and the CLI alike. Admin-facing changes take an `actor` and write an audit entry.
import type { User } from '../store/types.ts';
import { createAccount, isEmail, type NewAccount } from './create.ts';
import { changePhone, resetPassword } from './credentials.ts';
import { unlock, type UnlockTarget } from './lockout.ts';
import { grantRole, revokeRole } from './roles.ts';
import { disable, enable, remove, revokeSessions } from './status.ts';
import type { AccountsDeps, ByActor, Change, Created, PasswordReset, PhoneChange, Removed, Unlocked } from './types.ts';

export * from './types.ts';
export { isEmail, type NewAccount, type UnlockTarget };

export interface Accounts {
  findById(id: string): Promise<User | undefined>;
  findByPhone(phone: string): Promise<User | undefined>;
  /** `actor` given: audited (CLI, admin); a registration passes none. */
  create(input: NewAccount, opts?: { actor?: string }): Promise<Created>;
  resetPassword(userId: string, passwordHash: string, opts?: { actor?: string }): Promise<PasswordReset>;
  changePhone(userId: string, phone: string, opts?: { keepSessionUid?: string; actor?: string }): Promise<PhoneChange>;
  unlock(target: UnlockTarget, opts: ByActor): Promise<Unlocked>;
  revokeSessions(userId: string, opts: ByActor): Promise<Change>;
  disable(userId: string, opts: ByActor): Promise<Change>;
  enable(userId: string, opts: ByActor): Promise<Change>;
  remove(userId: string, opts: ByActor): Promise<Removed>;
  grantRole(userId: string, role: string, opts: ByActor): Promise<Change>;
  revokeRole(userId: string, role: string, opts: ByActor): Promise<Change>;
}

export function createAccounts(deps: AccountsDeps): Accounts {
  return {
    findById: (id) => deps.store.users.findById(id),
    findByPhone: (phone) => deps.store.users.findByPhone(phone),
    create: (input, opts) => createAccount(deps, input, opts),
    resetPassword: (userId, hash, opts) => resetPassword(deps, userId, hash, opts),
    changePhone: (userId, phone, opts) => changePhone(deps, userId, phone, opts),
    unlock: (target, opts) => unlock(deps, target, opts),
    revokeSessions: (userId, opts) => revokeSessions(deps, userId, opts),
    disable: (userId, opts) => disable(deps, userId, opts),
    enable: (userId, opts) => enable(deps, userId, opts),
    remove: (userId, opts) => remove(deps, userId, opts),
    grantRole: (userId, role, opts) => grantRole(deps, userId, role, opts),
    revokeRole: (userId, role, opts) => revokeRole(deps, userId, role, opts),
  };
}
