// The admin's unlock: the guessing lockout of a number and of the account that has it, and the
// number's own sending caps (cooldown, per hour, per day).
import { audit, userTarget } from './audit.ts';
import type { AccountsDeps, ByActor, Unlocked } from './types.ts';

/** By number (with or without an account) or by account id (its current number). */
export type UnlockTarget = { phone: string } | { userId: string };

export async function unlock(deps: AccountsDeps, target: UnlockTarget, opts: ByActor): Promise<Unlocked> {
  const user = 'userId' in target ? await deps.store.users.findById(target.userId) : await deps.store.users.findByPhone(target.phone);
  if ('userId' in target && !user) return { kind: 'missing' };
  const phone = 'phone' in target ? target.phone : user!.phone;
  const cleared = await deps.guard.unlock({ phone, ...(user ? { userId: user.id } : {}) });
  await audit(deps, opts.actor, 'user.unlock', user ? userTarget(user.id) : `phone:${phone}`, [{ path: '/lockout', from: cleared, to: 0 }]);
  return { kind: 'unlocked', cleared, ...(user ? { user } : {}) };
}
