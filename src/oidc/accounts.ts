// Accounts and claims: maps a stored user to the OIDC claims of the granted scopes.
import type { FindAccount } from 'oidc-provider';
import type { Store } from '../store/types.ts';

/** Which claims each scope releases (oidc-provider masks by granted scope). */
export const claimsByScope = {
  openid: ['sub', 'amr', 'auth_time'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: ['name'],
  email: ['email'],
} as const;

export function createFindAccount(store: Store): FindAccount {
  return async (_ctx, sub) => {
    const user = await store.users.findById(sub);
    // A disabled account is no account: its sessions, refresh tokens and userinfo calls all fail.
    if (!user || user.disabledAt !== null) return undefined;
    return {
      accountId: user.id,
      async claims() {
        return {
          sub: user.id,
          phone_number: user.phone,
          phone_number_verified: user.phoneVerified,
          ...(user.name ? { name: user.name } : {}),
          ...(user.email ? { email: user.email } : {}),
        };
      },
    };
  };
}
