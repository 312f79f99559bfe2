// The key ring: signing keys and cookie keys with their times, newest first, stored as one secret
// (`key-ring`, src/oidc/keys.ts). A rotation puts a new key in front. A new signing key is
// published at once but signs only from its activation time (config `keys.activateAfterSeconds`
// later), so relying parties have it in their cached JWKS before the first token it signs; a new
// cookie key signs at once (only our instances read cookies, and they all see the ring on their
// next request). The key a rotation replaces gets a retire time: it keeps verifying until
// everything it signed has expired, then it is used nowhere and dropped at the next rotation.
// What the provider gets is a view of the ring at a time: pure functions of (ring, now), so every
// instance computes the same.
import { z } from 'zod';
import type { JWK } from 'jose';

/** The signing algorithms a new key may use (config `keys.algorithm`). */
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type Algorithm = typeof ALGORITHMS[number];

const times = {
  createdAt: z.number().int(),
  /** When it starts signing (a new signing key is published before that). */
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
/** `next`: published, not signing yet; `active`: signs; `retiring`: verifies only; `retired`: used nowhere. */
export type KeyState = 'next' | 'active' | 'retiring' | 'retired';

interface Timed { activatedAt: number; retireAt: number | null }

/** The state of each key of one kind (newest first) at `now`: the newest activated key that is not retired is the active one. */
export function statesOf(keys: readonly Timed[], now: number): KeyState[] {
  let activeSeen = false;
  return keys.map((k) => {
    if (k.retireAt !== null && k.retireAt <= now) return 'retired';
    if (k.activatedAt > now) return 'next';
    if (activeSeen) return 'retiring';
    activeSeen = true;
    return 'active';
  });
}

/**
 * The ring after a rotation of `kind` at `now`: `fresh` goes in front (it signs from its
 * activatedAt), every key without a retire time gets `retireAt`, retired keys are dropped.
 */
export function rotated<K extends KeyKind>(ring: KeyRing, kind: K, fresh: KeyRing[K][number], now: number, retireAt: number): KeyRing {
  const keys = ring[kind] as Array<KeyRing[K][number]>;
  const states = statesOf(keys, now);
  const kept = keys.filter((_, i) => states[i] !== 'retired').map((k) => (k.retireAt === null ? { ...k, retireAt } : k));
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
  /** When the view changes without a rotation (the next activation or retire time); Infinity when none is due. */
  changesAt: number;
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y', 'kid', 'alg', 'use', 'key_ops'] as const;

/** The public half of a JWK (what verifies; never the private members). */
export const publicJwk = (jwk: JWK): JWK =>
  Object.fromEntries(PUBLIC_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]])) as JWK;

export function viewOf(ring: KeyRing, now: number): RingView {
  const signingStates = statesOf(ring.signing, now);
  const signing = ring.signing.filter((_, i) => signingStates[i] !== 'retired');
  const active = ring.signing[signingStates.indexOf('active')];
  const cookieStates = statesOf(ring.cookie, now);
  // Newest first, so the active one (the newest in use) signs.
  const cookies = ring.cookie.filter((_, i) => cookieStates[i] === 'active' || cookieStates[i] === 'retiring');
  if (!active || !cookieStates.includes('active')) throw new Error('the key ring has no active key');
  // The active key first: oidc-provider signs with the first key of the algorithm that may sign.
  const jwks = [active, ...signing.filter((k) => k !== active)].map((k): JWK => ({
    ...(k.jwk as JWK), kid: k.kid, alg: k.alg, use: 'sig', ...(k === active ? {} : { key_ops: ['verify'] }),
  }));
  const due = [...signing, ...ring.cookie].flatMap((k) => [k.activatedAt, k.retireAt ?? Infinity]).filter((t) => t > now);
  return {
    jwks: { keys: jwks },
    publicJwks: { keys: jwks.map(publicJwk) },
    algorithm: active.alg,
    cookieKeys: cookies.map((k) => k.secret),
    changesAt: Math.min(Infinity, ...due),
  };
}
