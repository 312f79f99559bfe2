// Signing keys and cookie keys: a key ring kept in the store as one secret (`key-ring`, the model
// in key-ring.ts), made on first start (from the keys of older versions, `jwks` and `cookie-key`,
// when the store has them) and changed only by a rotation, which is a rev-checked write: two
// rotations at once both land, one after the other, and no key is lost.
import { randomBytes, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Store } from '../store/types.ts';
import { LONGEST_COOKIE, LONGEST_SIGNED_TOKEN } from './lifetimes.ts';
import { keyRingSchema, rotated, type Algorithm, type CookieKey, type KeyKind, type KeyRing, type SigningKey } from './key-ring.ts';

/** The secret holding the ring. */
export const KEY_RING = 'key-ring';
/** What older versions stored (one RS256 key set, one cookie key); read once, then replaced by a pointer. */
const LEGACY = { jwks: 'jwks', cookie: 'cookie-key' } as const;
const MOVED = JSON.stringify({ movedTo: KEY_RING });

export async function makeSigningKey(alg: Algorithm, now: number, activatedAt = now): Promise<SigningKey> {
  const { privateKey } = alg === 'RS256'
    ? await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
    : await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = await exportJWK(privateKey);
  return { kid: await calculateJwkThumbprint(jwk), alg, jwk: jwk as Record<string, unknown>, createdAt: now, activatedAt, retireAt: null };
}

export const makeCookieKey = (now: number, secret = randomBytes(32).toString('base64url')): CookieKey =>
  ({ id: randomUUID(), secret, createdAt: now, activatedAt: now, retireAt: null });

function parseRing(value: string): KeyRing {
  const parsed = keyRingSchema.safeParse(JSON.parse(value));
  if (!parsed.success) throw new Error(`the stored key ring is not valid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The first ring: the keys an older version made, if the store has them, else new ones. */
async function firstRing(store: Store, alg: Algorithm, now: number): Promise<KeyRing> {
  const legacyJwks = await store.secrets.read(LEGACY.jwks);
  const legacyCookie = await store.secrets.read(LEGACY.cookie);
  const old = legacyJwks && legacyJwks.value !== MOVED ? (JSON.parse(legacyJwks.value) as { keys: JWK[] }).keys[0] : undefined;
  const signing: SigningKey = old
    ? { kid: old.kid!, alg: 'RS256', jwk: Object.fromEntries(Object.entries(old).filter(([k]) => !['kid', 'alg', 'use'].includes(k))), createdAt: now, activatedAt: now, retireAt: null }
    : await makeSigningKey(alg, now);
  return { signing: [signing], cookie: [makeCookieKey(now, legacyCookie && legacyCookie.value !== MOVED ? legacyCookie.value : undefined)] };
}

/** A ring read from the store, with its revision. */
export interface KeyRingRead { ring: KeyRing; rev: number }

/** The ring and its revision; made (first writer wins) when the store has none. */
export async function loadKeyRing(store: Store, alg: Algorithm, now: number): Promise<KeyRingRead> {
  for (;;) {
    const found = await store.secrets.read(KEY_RING);
    if (found) return { ring: parseRing(found.value), rev: found.rev };
    const ring = await firstRing(store, alg, now);
    const rev = await store.secrets.write(KEY_RING, JSON.stringify(ring), null);
    if (rev === undefined) continue; // another instance made it first: use theirs
    // The old copies go: the ring is the one place the keys are (the pointer tells an older version why).
    for (const name of Object.values(LEGACY)) {
      const legacy = await store.secrets.read(name);
      if (legacy && legacy.value !== MOVED) await store.secrets.write(name, MOVED, legacy.rev);
    }
    return { ring, rev };
  }
}

/** The stored ring, or undefined when none is stored yet (writes nothing: a read command's view). */
export async function readKeyRing(store: Store): Promise<KeyRing | undefined> {
  const found = await store.secrets.read(KEY_RING);
  return found ? parseRing(found.value) : undefined;
}

export interface RotateRequest {
  kinds: readonly KeyKind[];
  /** The new signing key's algorithm. */
  algorithm: Algorithm;
  /** How long a replaced key stays after the new one is active (ms), per kind: until everything it signed has expired. */
  keepFor: Record<KeyKind, number>;
  /** How long a new signing key is published before it signs (ms; 0: at once). */
  activateAfter: number;
}

export interface Rotation { ring: KeyRing; rev: number; added: Array<{ kind: KeyKind; id: string; activatedAt: number }> }

/** Adds a new active key of each kind asked; the replaced ones retire after `keepFor`. Retries on a concurrent write. */
export async function rotateKeys(store: Store, req: RotateRequest, now: () => number): Promise<Rotation> {
  for (let attempt = 0; ; attempt += 1) {
    const { ring, rev } = await loadKeyRing(store, req.algorithm, now());
    let next = ring;
    const added: Rotation['added'] = [];
    for (const kind of req.kinds) {
      const at = now();
      const fresh = kind === 'signing' ? await makeSigningKey(req.algorithm, at, at + req.activateAfter) : makeCookieKey(at);
      next = rotated(next, kind, fresh, at, fresh.activatedAt + req.keepFor[kind]);
      added.push({ kind, id: 'kid' in fresh ? fresh.kid : fresh.id, activatedAt: fresh.activatedAt });
    }
    const written = await store.secrets.write(KEY_RING, JSON.stringify(next), rev);
    if (written !== undefined) return { ring: next, rev: written, added };
    if (attempt >= 20) throw new Error('the key ring kept changing under this rotation; try again');
  }
}

export async function loadSecret(store: Store, name: string): Promise<Buffer> {
  const b64 = await store.secrets.getOrCreate(name, async () => randomBytes(32).toString('base64url'));
  return Buffer.from(b64, 'base64url');
}

/** How long a replaced key stays after its successor is active (ms): the longest lifetime of what it signed, plus the margin (config `keys.retireMarginSeconds`). */
export const keepFor = (marginSeconds: number): Record<KeyKind, number> => ({
  signing: (LONGEST_SIGNED_TOKEN + marginSeconds) * 1000,
  cookie: (LONGEST_COOKIE + marginSeconds) * 1000,
});
