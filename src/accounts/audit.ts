// Audit entries for account changes: target `user:<id>`, a diff of the fields that changed.
import type { AccountsDeps, DiffEntry } from './types.ts';

export const userTarget = (id: string) => `user:${id}`;

export async function audit(deps: AccountsDeps, actor: string, action: string, target: string, diff: DiffEntry[]): Promise<void> {
  await deps.store.config.appendAudit({ actor, action, target, diff }, (deps.now ?? Date.now)());
}

/** A password hash as the audit log shows it. */
export const passwordState = (hash: string | null | undefined) => (hash ? 'set' : 'none');
