// The store interface: everything flowgate persists, on SQLite (one process) or PostgreSQL (N
// instances), same callers. Nothing correctness or security depends on lives only in a process's
// memory: counters, locks, leases and versions are all here, so a restart or a second instance
// behind a load balancer changes nothing a person or an attacker can notice.

export interface User {
  id: string;
  phone: string;
  phoneVerified: boolean;
  name: string | null;
  email: string | null;
  /** argon2id hash, or null when the account has no password. */
  passwordHash: string | null;
  /** Free-form attributes (condition-user-attribute reads them). */
  attributes: Record<string, string>;
  /** Roles granted by an admin (`admin`: may use the admin API and console). */
  roles: string[];
  /** Set when an admin disabled the account: it cannot sign in until enabled again. */
  disabledAt: number | null;
  createdAt: number;
}

export interface NewUser {
  phone: string;
  phoneVerified?: boolean;
  name?: string | null;
  email?: string | null;
  passwordHash?: string | null;
  attributes?: Record<string, string>;
}

export interface UserPatch {
  roles?: string[];
  disabledAt?: number | null;
  name?: string | null;
  email?: string | null;
  passwordHash?: string | null;
  attributes?: Record<string, string>;
}

export interface OidcRecord {
  payload: Record<string, unknown>;
  consumed: boolean;
}

export interface OtpChallenge {
  id: string;
  interactionUid: string;
  phone: string;
  purpose: string;
  codeHash: string;
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  expiresAt: number;
}

export type OtpVerdict =
  | { kind: 'consumed' }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'dead' };

export interface OtpStore {
  /** Kills any live challenge for the interaction and purpose, then stores the new one. */
  replace(challenge: OtpChallenge): Promise<void>;
  /** Kills a challenge (its SMS could not be sent); it still counts as a send. */
  kill(id: string): Promise<void>;
  /** The live challenge (not consumed, not dead, not expired) for the interaction and purpose. */
  active(interactionUid: string, purpose: string, now: number): Promise<OtpChallenge | undefined>;
  /**
   * Atomically settles one guess. `matches` is the constant-time comparison's result, made by
   * the caller. Exactly one of many parallel right guesses gets `consumed`.
   */
  settle(id: string, matches: boolean, now: number): Promise<OtpVerdict>;
  /** How many codes this interaction has been sent, and how many wrong guesses it made. */
  counters(interactionUid: string): Promise<{ sends: number; failures: number }>;
}

export type SmsStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';

export interface QueuedSms {
  id: string;
  interactionUid: string | null;
  to: string;
  /** Cleared once the message is sent, failed or expired: a code does not outlive its delivery. */
  body: string | null;
  usage: string;
  locale: string | null;
  status: SmsStatus;
  /** Connector attempts started so far (each claim is one). */
  attempts: number;
  /** Where in the connector chain the next attempt is (a flat index over connector × retry; 0 first). */
  step: number;
  /** The instance (worker owner id) holding the lease while `sending`, else null. */
  leaseOwner: string | null;
  connector: string | null;
  providerMessageId: string | null;
  error: string | null;
  createdAt: number;
  /** Not sent after this (the code's expiry). */
  expiresAt: number;
}

/**
 * The SMS queue. Every instance runs a worker with its own owner id; a message is leased by one
 * owner at a time for a short, renewed lease, and every write after the claim is conditional on
 * still holding it, so a worker that lost its lease (it stalled, or its instance was presumed
 * dead) can no longer settle the message. Retries are durable: a message waiting for its next
 * attempt is `queued` with a later `next_attempt_at`, held by nobody.
 */
export interface SmsOutboxStore {
  /**
   * Stores a message `queued`, or, with `lease`, already claimed by `lease.owner` until `lease.until`
   * (status `sending`, its first attempt counted): what claimDue would have made of it, in one write.
   * A leased message whose owner dies is claimed by another instance once the lease expires, as any.
   */
  enqueue(msg: Pick<QueuedSms, 'id' | 'interactionUid' | 'to' | 'body' | 'usage' | 'locale' | 'createdAt' | 'expiresAt'>, lease?: { owner: string; until: number }): Promise<void>;
  /**
   * Atomically leases up to `limit` due messages for `owner` until `now + leaseMs`: queued ones
   * whose next attempt is due, and `sending` ones whose lease expired (a crashed instance). Each
   * claim counts one attempt. Parallel claims by different owners never lease the same message.
   */
  claimDue(owner: string, now: number, limit: number, leaseMs: number): Promise<QueuedSms[]>;
  /** Extends the owner's leases on these messages; returns the ids it still holds (the rest were lost). */
  renew(owner: string, ids: readonly string[], now: number, leaseMs: number): Promise<string[]>;
  /** The settling writes: each applies only while `owner` holds the lease, and says whether it did. */
  markSent(id: string, owner: string, connector: string, providerMessageId: string | null, now: number): Promise<boolean>;
  markFailed(id: string, owner: string, error: string, now: number): Promise<boolean>;
  /** Back to `queued` for an attempt at `at` from chain position `step`; the lease is given up. */
  retryAt(id: string, owner: string, at: number, step: number, error: string, now: number): Promise<boolean>;
  /** At shutdown: the owner's leased messages go back to `queued` (due now) for another instance. */
  releaseLeases(owner: string, now: number): Promise<number>;
  /** A provider's delivery report; returns false when no such message is known. */
  reportStatus(connector: string, providerMessageId: string, status: 'delivered' | 'failed', now: number, error?: string): Promise<boolean>;
  latestFor(interactionUid: string): Promise<QueuedSms | undefined>;
  get(id: string): Promise<QueuedSms | undefined>;
  /** Messages not settled yet (queued or sending): the queue's depth. */
  pending(): Promise<number>;
  /** When the oldest message due at `now` (queued and due, or leased with its lease run out) was queued; null when none is due. */
  oldestDueAt(now: number): Promise<number | null>;
}

/**
 * Named leases held by one owner at a time across every instance on the store: an interaction's
 * requests (`interaction:<uid>`), the periodic purge (`purge`). A lease frees itself after its
 * time, so a crashed owner blocks nobody for long.
 */
export interface LockStore {
  /** Takes the lease when it is free, expired or already `owner`'s (then renews it); says whether `owner` holds it now. */
  acquire(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it. */
  release(name: string, owner: string): Promise<void>;
}

/** One limit on events under a key in a sliding window (a send cap, a cooldown, a distinct-number cap). */
export interface RateRule {
  /** Names the limit in the log only (never shown to people). */
  name: string;
  key: string;
  windowMs: number;
  limit: number;
  /** Counts distinct event values (e.g. numbers per prefix) instead of events; a value already counted passes. */
  distinct?: boolean;
}

export type TakeResult = { ok: true } | { ok: false; rule: string; retryAt: number };

/**
 * Failure records at or above this count are kept until a success or an unlock; lower ones are
 * forgotten after 30 idle days. It is the least a hard lock may be configured at.
 */
export const KEEP_FAILURES = 20;

/** Consecutive failed proofs under a key, and when the last one was. */
export interface FailureRecord { failures: number; lastAt: number }

/** What a reservation counted: per key, when the failure before it was (0: none). */
export interface Reservation { lastAtBefore: Record<string, number> }

/** The abuse guard's counters: stored, so that they hold across interactions, restarts and instances. */
export interface GuardStore {
  /**
   * Atomically: when every rule holds, records one event (with `value`) under each rule's key and
   * returns ok; otherwise records nothing and names the first rule that held it back and when it frees.
   * `dryRun`: checks only, records nothing.
   */
  take(rules: readonly RateRule[], value: string, now: number, opts?: { dryRun?: boolean }): Promise<TakeResult>;
  /** The newest event under a key (e.g. the last code sent to a number). */
  lastAt(key: string): Promise<number | undefined>;
  /**
   * Atomically: when `allow` accepts the worst record among the keys, counts one attempt as a
   * failure under every key (so parallel attempts cannot all pass a check made before any of them
   * is counted) and returns true; otherwise changes nothing. A proof that turns out right is refunded.
   */
  reserve(keys: readonly string[], now: number, allow: (worst: FailureRecord) => boolean): Promise<Reservation | undefined>;
  /** Takes back a reserved failure under every key, with the time of the failure before it (the proof was right). */
  refund(reservation: Reservation): Promise<void>;
  /** The record with the most consecutive failures among the keys ({0, 0} when none). */
  failures(keys: readonly string[]): Promise<FailureRecord>;
  /** An admin's reset of caps: every count under these keys is dropped. Returns how many rows went. */
  forget(keys: readonly string[]): Promise<number>;
  /** A success (or an admin's unlock): the count starts over. Returns how many keys had failures. */
  clear(keys: readonly string[]): Promise<number>;
}

/** What a configuration document is (`client`: a relying app added at run time, src/live/clients.ts). */
export type DocKind = 'flow' | 'bindings' | 'sms-connectors' | 'sms-templates' | 'client';
/** Where a version came from: a file at start-up (flows/*.yaml, the config file), an admin, or an import. */
export type DocSource = 'file' | 'admin' | 'import';

export interface DocVersion {
  kind: DocKind;
  id: string;
  version: number;
  body: unknown;
  source: DocSource;
  /** Who made it: `file`, `cli`, an admin's account id, or a client id. */
  actor: string;
  createdAt: number;
}

/** A document's head: which version is active, and its revision (bumped by every change; the ETag). */
export interface DocHead {
  kind: DocKind;
  id: string;
  activeVersion: number;
  latestVersion: number;
  /** The newest version that came from a file (0: none). */
  latestFileVersion: number;
  rev: number;
  /** Built-in documents came from files; an admin copies them before editing (Keycloak's rule). */
  builtIn: boolean;
  updatedAt: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  /** What changed: [{ path, from, to }] with secrets masked. */
  diff: unknown;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'>;

export type DocWrite =
  | { ok: true; head: DocHead }
  | { ok: false; conflict: 'stale' | 'exists' | 'missing'; head?: DocHead };

export interface ConfigStore {
  head(kind: DocKind, id: string): Promise<DocHead | undefined>;
  heads(kind: DocKind): Promise<DocHead[]>;
  /** The active version's document. */
  active(kind: DocKind, id: string): Promise<DocVersion | undefined>;
  version(kind: DocKind, id: string, version: number): Promise<DocVersion | undefined>;
  /** Every version, newest first. */
  versions(kind: DocKind, id: string): Promise<DocVersion[]>;
  /**
   * Atomically: when the head's rev is `expectRev` (null: the document must not exist), stores
   * `body` as a new version, makes it active unless `activate` is false, bumps rev and the
   * generation, and appends the audit entry. Otherwise changes nothing and says why.
   */
  save(kind: DocKind, id: string, write: { body: unknown; source: DocSource; actor: string; builtIn?: boolean; activate?: boolean },
    expectRev: number | null, audit: AuditInput | null, now: number): Promise<DocWrite>;
  /** Makes an existing version active (a rollback), under the same rev check. */
  activate(kind: DocKind, id: string, version: number, expectRev: number, audit: AuditInput, now: number): Promise<DocWrite>;
  /** Deletes the document and its versions, under the same rev check. */
  remove(kind: DocKind, id: string, expectRev: number, audit: AuditInput, now: number): Promise<DocWrite>;
  /** A number that changes whenever any document changes (one cheap read: the live cache's check). */
  generation(): Promise<number>;
  /** Audit entries, newest first; `before` pages by id. */
  audit(opts: { limit: number; before?: number; target?: string }): Promise<AuditEntry[]>;
  /** Appends an audit entry for a change outside the documents (users, test sends). */
  appendAudit(entry: AuditInput, now: number): Promise<void>;
}

/**
 * Named secrets, each with a revision that every write bumps: most are generated once
 * (getOrCreate); the key ring changes on rotation (read, then a write naming the revision read).
 */
export interface SecretsStore {
  /** Returns the stored value, or stores `make()`'s and returns it (first writer wins). */
  getOrCreate(name: string, make: () => Promise<string>): Promise<string>;
  /** The stored value and its revision, or undefined. */
  read(name: string): Promise<{ value: string; rev: number } | undefined>;
  /** Only the revision (one indexed read: the running instances' check for a rotation). */
  rev(name: string): Promise<number | undefined>;
  /**
   * Atomically: stores `value` when the stored revision is `expectRev` (null: nothing is stored
   * under the name yet) and returns the new revision; returns undefined, changing nothing, when
   * another write came first.
   */
  write(name: string, value: string, expectRev: number | null): Promise<number | undefined>;
  /** Every stored name (start-up encrypts them all when a key encryption key is set). */
  names(): Promise<string[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  guard: GuardStore;
  oidc: {
    upsert(model: string, id: string, payload: Record<string, unknown>, expiresAt: number | null): Promise<void>;
    find(model: string, id: string): Promise<OidcRecord | undefined>;
    findByUid(model: string, uid: string): Promise<OidcRecord | undefined>;
    findByUserCode(model: string, userCode: string): Promise<OidcRecord | undefined>;
    consume(model: string, id: string, at: number): Promise<void>;
    destroy(model: string, id: string): Promise<void>;
    /** Deletes the rows of one token model (AccessToken, RefreshToken, …) issued under a grant; nothing else. */
    revokeByGrantId(model: string, grantId: string): Promise<void>;
    /** Ends every session, grant and token of an account (after a credential reset). */
    revokeByAccountId(accountId: string): Promise<number>;
    /** Ends an account's sessions, grants and tokens except one session (by uid) and its grants (other devices). */
    revokeByAccountIdExcept(accountId: string, keep: { sessionUid: string; grantIds: string[] }): Promise<number>;
  };
  users: {
    findById(id: string): Promise<User | undefined>;
    findByPhone(phone: string): Promise<User | undefined>;
    create(user: NewUser): Promise<User>;
    update(id: string, patch: UserPatch): Promise<User | undefined>;
    /** Sets a verified phone number; the UNIQUE constraint decides when another account has it. */
    updatePhone(id: string, phone: string): Promise<'updated' | 'taken' | 'missing'>;
    /** Users whose phone contains the query's digits, or whose name contains the query, newest first; `''` lists all. */
    search(query: string, limit: number): Promise<User[]>;
    /** Deletes the account (its sessions and tokens are the caller's to revoke first). */
    remove(id: string): Promise<boolean>;
  };
  /** Versioned configuration documents (flows, bindings, SMS connectors and templates) and the audit log. */
  config: ConfigStore;
  /** Flow state per interaction uid (JSON), versioned: a write names the revision it read. */
  flowState: {
    get<T>(uid: string): Promise<{ state: T; rev: number } | undefined>;
    /**
     * Atomically: stores `state` when the stored revision is `expectRev` (null: none is stored
     * yet) and returns the new revision; returns undefined, changing nothing, when another write
     * came first (the caller read a stale state).
     */
    put(uid: string, state: unknown, expiresAt: number, expectRev: number | null): Promise<number | undefined>;
  };
  locks: LockStore;
  otp: OtpStore;
  smsOutbox: SmsOutboxStore;
  /** Named secrets (signing and cookie key ring, HMAC keys, client secrets). */
  secrets: SecretsStore;
  /** Deletes expired rows; returns how many. (Callers hold the `purge` lease: one instance at a time.) */
  purgeExpired(now: number): Promise<number>;
  /** Answers when the store is reachable (a trivial query); throws a 503 AppError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
