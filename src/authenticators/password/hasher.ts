// Password hashing with argon2id (OWASP defaults). Unknown users cost the same argon2 work as known
// ones (a dummy hash is verified), malformed stored hashes fail closed, and old parameters ask for a rehash.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export interface PasswordHashParams { memoryCost: number; timeCost: number; parallelism: number }

/** OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB (19 MiB), t=2, p=1. */
export const OWASP_ARGON2ID_DEFAULTS: Readonly<PasswordHashParams> = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

export interface PasswordVerifyResult { ok: boolean; needsRehash: boolean }

export interface PasswordHasher {
  readonly params: Readonly<PasswordHashParams>;
  hash(password: string): Promise<string>;
  verify(storedHash: string | null, password: string): Promise<PasswordVerifyResult>;
}

const FAIL: PasswordVerifyResult = Object.freeze({ ok: false, needsRehash: false });

// NFKC so the same password typed on different keyboards/devices hashes the same (NIST SP 800-63B).
const normalize = (password: string) => password.normalize('NFKC');

export function createPasswordHasher(params: Partial<PasswordHashParams> = {}): PasswordHasher {
  const current: Readonly<PasswordHashParams> = Object.freeze({ ...OWASP_ARGON2ID_DEFAULTS, ...params });
  for (const [key, value] of Object.entries(current)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`argon2 ${key} must be a positive integer`);
  }
  const options = { type: argon2.argon2id, ...current };

  // Made once, eagerly, so the first unknown-user login is not slower than a real one.
  const dummyHash = argon2.hash(randomBytes(32).toString('base64url'), options);
  dummyHash.catch(() => {}); // surfaced on first use in verify(), not as an unhandled rejection

  return {
    params: current,
    hash: (password) => argon2.hash(normalize(password), options),
    async verify(storedHash, password) {
      if (storedHash === null) {
        await argon2.verify(await dummyHash, normalize(password)).catch(() => false);
        return FAIL;
      }
      try {
        if (!(await argon2.verify(storedHash, normalize(password)))) return FAIL;
        const needsRehash = !storedHash.startsWith('$argon2id$') || argon2.needsRehash(storedHash, current);
        return { ok: true, needsRehash };
      } catch {
        return FAIL; // malformed or unsupported stored hash
      }
    },
  };
}
