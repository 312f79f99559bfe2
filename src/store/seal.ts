// AES-256-GCM sealing of a string under a 32-byte key: `sealed:v1:` + base64url(iv ‖ tag ‖ ciphertext),
// with optional associated data (what the sealed value is, e.g. a secret's name, so a sealed value
// moved to another name does not open). Used for queued SMS bodies and for secrets at rest.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'sealed:v1:';

export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);

export function seal(key: Buffer, clear: string, aad?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
}

/** What seal() sealed; throws when the key or the associated data is not the sealing one, or the value was altered. */
export function unseal(key: Buffer, stored: string, aad?: string): string {
  if (!isSealed(stored)) throw new Error('not a sealed value');
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  if (aad !== undefined) decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
