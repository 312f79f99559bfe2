// New-password policy (NIST SP 800-63B style): 8–128 code points after NFKC, not a common password
// (bundled list, case-insensitive), not containing the user's phone digits nor equal to their name.
import { readFileSync } from 'node:fs';

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_identifier';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;
const MIN_PHONE_DIGITS = 7;

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.normalize('NFKC').toLowerCase()),
  );
  return common;
}

export function checkNewPassword(password: string, context: { phone?: string; name?: string } = {}): PasswordProblem | null {
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';

  const lower = normalized.toLowerCase();
  if (commonPasswords().has(lower)) return 'common';

  const phoneDigits = (context.phone ?? '').normalize('NFKC').replace(/\D/g, '');
  if (phoneDigits.length >= MIN_PHONE_DIGITS) {
    const tail = phoneDigits.slice(-MIN_PHONE_DIGITS);
    // Also catch the number written with the usual separators: "555-0100", "(202) 555 0100".
    if (lower.replace(/[\s().\/+-]/g, '').includes(tail)) return 'contains_identifier';
  }

  const name = (context.name ?? '').normalize('NFKC').trim().toLowerCase();
  if (name !== '' && lower.trim() === name) return 'contains_identifier';

  return null;
}
