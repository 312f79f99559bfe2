// The admin API as a resource server of this issuer: its resource indicator (the JWT access
// token's audience), its one scope, the console's client id, and who may hold the scope.
import type { User } from '../store/types.ts';

/** The built-in client of the admin console (/admin); configured clients may not use this id. */
export const ADMIN_CLIENT_ID = 'flowgate-admin';
export const ADMIN_SCOPE = 'admin';
export const ADMIN_ROLE = 'admin';
/** Admin API access tokens live 15 minutes (they are JWTs: a revocation does not reach them). */
export const ADMIN_TOKEN_TTL = 15 * 60;

/** The admin API's resource indicator (RFC 8707) and the `aud` of its access tokens. */
export const adminResource = (issuer: string) => `${issuer}/admin/api`;

/** Whether an account may hold the admin scope: it has the admin role and is not disabled. */
export const isAdminUser = (user: User | undefined): boolean =>
  Boolean(user && user.disabledAt === null && user.roles.includes(ADMIN_ROLE));
