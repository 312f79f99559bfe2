// Creating an account: registration (the number proven by a code), `flowgate users add` and the admin.
import { badRequest } from '../errors.ts';
import type { User } from '../store/types.ts';
import { audit, passwordState, userTarget } from './audit.ts';
import type { AccountsDeps, Created } from './types.ts';

export interface NewAccount {
  /** E.164 (callers normalize what people type). */
  phone: string;
  phoneVerified?: boolean;
  name?: string | null;
  email?: string | null;
  passwordHash?: string | null;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(text: string): boolean { return EMAIL.test(text); }

/** `actor`: an admin-facing creation (CLI, admin API) is audited; a registration is not. */
export async function createAccount(deps: AccountsDeps, input: NewAccount, opts: { actor?: string } = {}): Promise<Created> {
  if (!E164.test(input.phone)) throw badRequest('invalid_phone', 'the phone number must be in E.164 form, e.g. +12025550100', [{ pointer: '/phone', detail: 'not an E.164 number' }]);
  if (input.email != null && !isEmail(input.email)) throw badRequest('invalid_email', 'the email is not an email address', [{ pointer: '/email', detail: 'not an email address' }]);
  const existing = await deps.store.users.findByPhone(input.phone);
  if (existing) return { kind: 'taken', existing };
  let user: User;
  try {
    user = await deps.store.users.create({
      phone: input.phone, phoneVerified: input.phoneVerified ?? true, name: input.name ?? null, email: input.email ?? null,
      passwordHash: input.passwordHash ?? null,
    });
  } catch (err) {
    // Two creations of one number at once: the UNIQUE constraint decides, the loser sees it taken.
    const winner = await deps.store.users.findByPhone(input.phone);
    if (winner) return { kind: 'taken', existing: winner };
    throw err;
  }
  deps.log?.info({ userId: user.id }, 'account created');
  if (opts.actor !== undefined) {
    await audit(deps, opts.actor, 'user.create', userTarget(user.id), [
      { path: '/phone', from: null, to: user.phone },
      { path: '/name', from: null, to: user.name },
      { path: '/email', from: null, to: user.email },
      { path: '/password', from: 'none', to: passwordState(user.passwordHash) },
    ].filter((d) => d.to !== null && d.to !== 'none'));
  }
  return { kind: 'created', user };
}
