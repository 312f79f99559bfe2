// The key ring: signing keys and cookie keys with their times, newest first, stored as one secret
// (`key-ring`, src/oidc/keys.ts). A rotation puts a new key in front (it signs from then on) and
// gives the one it replaces a retire time (it still verifies until then); a key past its retire
// time is no longer used anywhere and is dropped at the next rotation. What the provider gets is
// a view of the ring at a time: pure functions of (ring, now), so every instance computes the same.
import { z } from 'zod';
import type { JWK } from 'jose';

/** The signing algorithms a new key may use (config `keys.algorithm`). */
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type Algorithm = typeof ALGORITHMS[number];

const times = {
  createdAt: z.number().int(),
  activatedAt: z.number().int(),
  /** Set when a newer key replaced this one: it verifies (signing) or is accepted (cookies) until then. */
  retireAt: z.number().int().nullable(),
};

const signingKeySchema = z.object({
  kid: z.string().min(1),
  alg: z.enum(ALGORITHMS),
  /** The private JWK (never shown, never published). */
  jwk: z.record(z.string(), z.unknown()),
  ...times,
}).strict();

const cookieKeySchema = z.object({
  id: z.string().min(1),
  /** 32 random bytes, base64url. */
  secret: z.string().min(32),
  ...times,
}).strict();

export const keyRingSchema = z.object({
  signing: z.array(signingKeySchema).min(1),
  cookie: z.array(cookieKeySchema).min(1),
}).strict();

export type KeyRing = z.infer<typeof keyRingSchema>;
export type SigningKey = z.infer<typeof signingKeySchema>;
export type CookieKey = z.infer<typeof cookieKeySchema>;
export type KeyKind = keyof KeyRing;
export type KeyState = 'active' | 'retiring' | 'retired';

export function stateOf(key: { retireAt: number | null }, now: number): KeyState {
  if (key.retireAt === null) return 'active';
  return key.retireAt > now ? 'retiring' : 'retired';
}

/**
 * The ring after a rotation of `kind` at `now`: `fresh` becomes the active key, the active one
 * retires at `retireAt`, keys already retiring keep their time, retired ones are dropped.
 */
export function rotated<K extends KeyKind>(ring: KeyRing, kind: K, fresh: KeyRing[K][number], now: number, retireAt: number): KeyRing {
  const kept = (ring[kind] as Array<KeyRing[K][number]>)
    .filter((k) => stateOf(k, now) !== 'retired')
    .map((k) => (k.retireAt === null ? { ...k, retireAt } : k));
  return { ...ring, [kind]: [fresh, ...kept] };
}

/** What the provider runs with at a time. */
export interface RingView {
  /** Private JWKs for oidc-provider: the active key first; retiring keys may only verify (`key_ops`). */
  jwks: { keys: JWK[] };
  /** The same without private members: what verifies our tokens (the admin API's check). */
  publicJwks: { keys: JWK[] };
  /** The active signing key's algorithm: the only one ID tokens and JWT access tokens are signed with. */
  algorithm: Algorithm;
  /** Cookie keys, newest first: the first signs, every one verifies. */
  cookieKeys: string[];
  /** When the view changes without a rotation (the next retire time); Infinity when none is due. */
  changesAt: number;
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y', 'kid', 'alg', 'use', 'key_ops'] as const;

/** The public half of a JWK (what verifies; never the private members). */
export const publicJwk = (jwk: JWK): JWK =>
  Object.fromEntries(PUBLIC_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]])) as JWK;

export function viewOf(ring: KeyRing, now: number): RingView {
  const signing = ring.signing.filter((k) => stateOf(k, now) !== 'retired');
  const active = signing.find((k) => k.retireAt === null);
  const cookies = ring.cookie.filter((k) => stateOf(k, now) !== 'retired');
  if (!active || !cookies.some((k) => k.retireAt === null)) throw new Error('the key ring has no active key');
  const jwks = [active, ...signing.filter((k) => k !== active)].map((k): JWK => ({
    ...(k.jwk as JWK), kid: k.kid, alg: k.alg, use: 'sig', ...(k === active ? {} : { key_ops: ['verify'] }),
  }));
  const due = [...signing, ...cookies].map((k) => k.retireAt).filter((t): t is number => t !== null);
  return {
    jwks: { keys: jwks },
    publicJwks: { keys: jwks.map(publicJwk) },
    algorithm: active.alg,
    cookieKeys: [...cookies].sort((a, b) => Number(b.retireAt === null) - Number(a.retireAt === null)).map((k) => k.secret),
    changesAt: due.length ? Math.min(...due) : Infinity,
  };
}
