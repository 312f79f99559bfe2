// Token, session and cookie lifetimes: the provider's ttl (provider.ts) and what a replaced key's
// retire time is made of (keys.ts). Constants only, so the key ring loads without oidc-provider.
import { ADMIN_TOKEN_TTL } from './admin-resource.ts';

/** Token and session lifetimes (seconds): the provider's ttl, and what a replaced key's retire time is made of. */
export const TTL = {
  AuthorizationCode: 60,
  Interaction: 3600,
  Session: 14 * 24 * 3600,
  Grant: 14 * 24 * 3600,
  IdToken: 3600,
  /** Opaque by default; the admin API's are JWTs of ADMIN_TOKEN_TTL. */
  AccessToken: 3600,
  ClientCredentials: 600,
  RefreshToken: 14 * 24 * 3600,
} as const;

/** The longest a JWT this provider signs stays valid (ID tokens, JWT access tokens): how long a replaced signing key must still verify. */
export const LONGEST_SIGNED_TOKEN = Math.max(TTL.IdToken, TTL.AccessToken, TTL.ClientCredentials, ADMIN_TOKEN_TTL);
/** The longest a cookie the provider signs lives (the session's): how long a replaced cookie key must still be accepted. */
export const LONGEST_COOKIE = Math.max(TTL.Session, TTL.Interaction);
