// Rows to records, the same for both stores: their schemas share column names, and a flag column
// is 1/0 on SQLite and a boolean on PostgreSQL (`flag` reads either).
import type { AuditEntry, DocHead, DocKind, DocVersion, OidcRecord, OtpChallenge, QueuedSms, SmsStatus, User } from './types.ts';

export type Row = Record<string, unknown>;

const flag = (v: unknown) => v === true || v === 1;

export function toUser(row: Row | undefined): User | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    phone: row.phone as string,
    phoneVerified: flag(row.phone_verified),
    name: (row.name as string | null) ?? null,
    email: (row.email as string | null) ?? null,
    passwordHash: (row.password_hash as string | null) ?? null,
    attributes: JSON.parse((row.attributes as string | undefined) ?? '{}') as Record<string, string>,
    roles: JSON.parse((row.roles as string | undefined) ?? '[]') as string[],
    disabledAt: (row.disabled_at as number | null | undefined) ?? null,
    createdAt: row.created_at as number,
  };
}

/** An oidc-provider artefact, or undefined once it has expired. */
export function toRecord(row: Row | undefined, now: number): OidcRecord | undefined {
  if (!row) return undefined;
  const expiresAt = row.expires_at as number | null;
  if (expiresAt !== null && expiresAt <= now) return undefined;
  return { payload: JSON.parse(row.payload as string), consumed: row.consumed_at !== null };
}

export function toChallenge(row: Row | undefined): OtpChallenge | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string, interactionUid: row.interaction_uid as string, phone: row.phone as string, purpose: row.purpose as string,
    codeHash: row.code_hash as string, attempts: row.attempts as number, maxAttempts: row.max_attempts as number,
    createdAt: row.created_at as number, expiresAt: row.expires_at as number,
  };
}

export function toSms(row: Row | undefined): QueuedSms | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string,
    interactionUid: (row.interaction_uid as string | null) ?? null,
    to: row.recipient as string,
    body: (row.body as string | null) ?? null,
    usage: row.usage as string,
    locale: (row.locale as string | null) ?? null,
    status: row.status as SmsStatus,
    attempts: row.attempts as number,
    step: row.step as number,
    leaseOwner: (row.lease_owner as string | null) ?? null,
    connector: (row.connector as string | null) ?? null,
    providerMessageId: (row.provider_message_id as string | null) ?? null,
    error: (row.error as string | null) ?? null,
    createdAt: row.created_at as number,
    expiresAt: row.expires_at as number,
  };
}

export const toHead = (r: Row | undefined): DocHead | undefined => r && {
  kind: r.kind as DocKind, id: r.id as string, activeVersion: r.active_version as number, latestVersion: r.latest_version as number,
  latestFileVersion: r.latest_file_version as number, rev: r.rev as number, builtIn: flag(r.built_in), updatedAt: r.updated_at as number,
};

export const toVersion = (r: Row | undefined): DocVersion | undefined => r && {
  kind: r.kind as DocKind, id: r.id as string, version: r.version as number, body: JSON.parse(r.body as string),
  source: r.source as DocVersion['source'], actor: r.actor as string, createdAt: r.created_at as number,
};

export const toAudit = (r: Row): AuditEntry => ({
  id: r.id as number, at: r.at as number, actor: r.actor as string, action: r.action as string, target: r.target as string, diff: JSON.parse(r.diff as string),
});
