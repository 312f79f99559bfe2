// Code generation and hashing: crypto.randomInt digits, HMAC bound to interaction, phone and purpose.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export function generateCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i += 1) code += String(randomInt(10));
  return code;
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
