// Ends an account's other devices: every session, grant and token of the account except the
// current session (by uid) and the grants it holds, so the browser that asked keeps working.
import type { Store } from '../store/types.ts';

export async function revokeOtherDevices(store: Store, accountId: string, sessionUid: string | undefined): Promise<number> {
  if (!sessionUid) return store.oidc.revokeByAccountId(accountId);
  const session = await store.oidc.findByUid('Session', sessionUid);
  if (session?.payload.accountId !== accountId) return store.oidc.revokeByAccountId(accountId);
  const authorizations = (session?.payload.authorizations ?? {}) as Record<string, { grantId?: unknown }>;
  const grantIds = Object.values(authorizations).map((a) => a.grantId).filter((g): g is string => typeof g === 'string');
  return store.oidc.revokeByAccountIdExcept(accountId, { sessionUid, grantIds });
}
