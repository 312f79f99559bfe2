// Code generation and hashing: crypto.randomInt digits, HMAC bound to interaction, phone and purpose.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Alphanumeric codes leave out look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V). */
export const ALPHANUMERIC = '34679ACDEFGHJKMNPQRTWXY';
export type Charset = 'numeric' | 'alphanumeric';

export function generateCode(length: number, charset: Charset = 'numeric'): string {
  const alphabet = charset === 'numeric' ? '0123456789' : ALPHANUMERIC;
  let code = '';
  for (let i = 0; i < length; i += 1) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** What the person typed, as compared: width-folded, spaces and dashes dropped, upper case. */
export function normalizeCode(input: string, charset: Charset): string {
  const folded = input.normalize('NFKC').replace(/[\s-]/g, '');
  return charset === 'numeric' ? folded : folded.toUpperCase();
}

export function codePattern(length: number, charset: Charset): RegExp {
  return charset === 'numeric' ? new RegExp(`^[0-9]{${length}}$`) : new RegExp(`^[${ALPHANUMERIC}]{${length}}$`);
}

export interface CodeBinding { interactionUid: string; phone: string; purpose: string }

export function hashCode(key: Buffer, binding: CodeBinding, code: string): string {
  return createHmac('sha256', key)
    .update(`${binding.interactionUid}\n${binding.phone}\n${binding.purpose}\n${code}`)
    .digest('base64url');
}

export function codeMatches(key: Buffer, binding: CodeBinding, code: string, storedHash: string): boolean {
  const a = Buffer.from(hashCode(key, binding, code));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
