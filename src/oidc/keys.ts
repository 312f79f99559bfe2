// Signing keys and cookie keys: generated with jose / crypto on first start, kept in the store.
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Store } from '../store/types.ts';

export interface KeySet { keys: JWK[] }

async function makeSigningKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return JSON.stringify({ keys: [jwk] });
}

export async function loadSigningKeys(store: Store): Promise<KeySet> {
  return JSON.parse(await store.secrets.getOrCreate('jwks', makeSigningKeys)) as KeySet;
}

export async function loadSecret(store: Store, name: string): Promise<Buffer> {
  const b64 = await store.secrets.getOrCreate(name, async () => randomBytes(32).toString('base64url'));
  return Buffer.from(b64, 'base64url');
}

export async function loadCookieKeys(store: Store, configured?: string[]): Promise<string[]> {
  if (configured?.length) return configured;
  return [(await loadSecret(store, 'cookie-key')).toString('base64url')];
}

/** The public half of the signing keys (what verifies our tokens; never the private members). */
export function publicKeys(set: KeySet): KeySet {
  const members = ['kty', 'n', 'e', 'crv', 'x', 'y', 'kid', 'alg', 'use'] as const;
  return { keys: set.keys.map((k) => Object.fromEntries(members.filter((m) => k[m] !== undefined).map((m) => [m, k[m]])) as JWK) };
}
