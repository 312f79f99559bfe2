// The account library's shared types: what it needs, and the outcomes it answers with. No HTTP
// here: callers (the hosted pages, the admin API, the CLI) turn outcomes into pages, problem
// documents or exit codes. A caller's mistake (an unknown role, a malformed number) is an AppError 4xx.
import type { Logger } from 'pino';
import type { Guard } from '../guard/index.ts';
import type { Store, User } from '../store/types.ts';

export interface AccountsDeps {
  store: Store;
  guard: Guard;
  log?: Logger;
  now?: () => number;
}

/** Who asks for an admin-facing change: `cli`, an admin's account id, or a client id (written to the audit log). */
export interface ByActor { actor: string }

/** The roles an admin may grant. */
export const ROLES = ['admin'] as const;
export type Role = (typeof ROLES)[number];

/** A change to one account: made, not needed (already so), or no such account. */
export type Change =
  | { kind: 'changed'; user: User; revoked: number }
  | { kind: 'unchanged'; user: User; revoked: number }
  | { kind: 'missing' };

export type Created = { kind: 'created'; user: User } | { kind: 'taken'; existing: User };

export type PasswordReset = { kind: 'reset'; user: User; revoked: number } | { kind: 'missing' } | { kind: 'disabled' };

export type PhoneChange = { kind: 'changed'; user: User; revoked: number } | { kind: 'taken' } | { kind: 'missing' } | { kind: 'disabled' };

export type Unlocked = { kind: 'unlocked'; cleared: number; user?: User } | { kind: 'missing' };

export type Removed = { kind: 'removed'; revoked: number } | { kind: 'missing' };

/** One changed field in an audit entry (secrets never appear: a password is only `set` or `none`). */
export interface DiffEntry { path: string; from: unknown; to: unknown }
