// SQLite store (better-sqlite3, WAL): the embedded default. Synchronous calls make each
// statement atomic within the process; the conditional UPDATEs keep it atomic across processes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { storeUnavailable } from '../../errors.ts';
import { sqliteConfig } from './config.ts';
import { sqliteGuard } from './guard.ts';
import { migrations } from './migrations.ts';
import type { NewUser, OtpChallenge, Store, User, UserPatch } from '../types.ts';
import { toChallenge, toRecord, toSms, toUser, type Row } from '../rows.ts';

/** How long spent challenges are kept so per-interaction counters stay right (ms). */
const OTP_RETENTION_MS = 2 * 60 * 60 * 1000;



export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < migrations.length; v += 1) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const q = {
    oidcUpsert: db.prepare(`INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, account_id, expires_at)
      VALUES (@model, @id, @payload, @grantId, @userCode, @uid, @accountId, @expiresAt)
      ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
        user_code = excluded.user_code, uid = excluded.uid, account_id = excluded.account_id, expires_at = excluded.expires_at`),
    oidcRevokeAccount: db.prepare('DELETE FROM oidc_models WHERE account_id = ? AND model <> \'Interaction\''),
    oidcRevokeAccountExcept: db.prepare(`DELETE FROM oidc_models WHERE account_id = @accountId AND model <> 'Interaction'
      AND NOT (model = 'Session' AND uid = @sessionUid)
      AND NOT (model = 'Grant' AND id IN (SELECT value FROM json_each(@grantIds)))
      AND (grant_id IS NULL OR grant_id NOT IN (SELECT value FROM json_each(@grantIds)))`),
    oidcFind: db.prepare('SELECT * FROM oidc_models WHERE model = ? AND id = ?'),
    oidcFindByUid: db.prepare('SELECT * FROM oidc_models WHERE model = ? AND uid = ?'),
    oidcFindByUserCode: db.prepare('SELECT * FROM oidc_models WHERE model = ? AND user_code = ?'),
    oidcConsume: db.prepare('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?'),
    oidcDestroy: db.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?'),
    oidcRevokeGrant: db.prepare('DELETE FROM oidc_models WHERE model = ? AND grant_id = ?'),
    userById: db.prepare('SELECT * FROM users WHERE id = ?'),
    userByPhone: db.prepare('SELECT * FROM users WHERE phone = ?'),
    userInsert: db.prepare(`INSERT INTO users (id, phone, phone_verified, name, email, password_hash, attributes, created_at)
      VALUES (@id, @phone, @phoneVerified, @name, @email, @passwordHash, @attributes, @createdAt)`),
    userUpdate: db.prepare(`UPDATE users SET name = @name, email = @email, password_hash = @passwordHash,
      attributes = @attributes, roles = @roles, disabled_at = @disabledAt WHERE id = @id`),
    userSearch: db.prepare(`SELECT * FROM users WHERE (@digits <> '' AND instr(phone, @digits) > 0)
      OR (@text <> '' AND instr(lower(coalesce(name, '')), lower(@text)) > 0) OR (@digits = '' AND @text = '')
      ORDER BY created_at DESC, id LIMIT @limit`),
    userDelete: db.prepare('DELETE FROM users WHERE id = ?'),
    userPhone: db.prepare('UPDATE users SET phone = ?, phone_verified = 1 WHERE id = ?'),
    flowGet: db.prepare('SELECT state, rev FROM flow_state WHERE uid = ? AND expires_at > ?'),
    // A first write: no live state may exist (an expired one counts as none, and its rev goes on).
    flowCreate: db.prepare(`INSERT INTO flow_state (uid, state, expires_at, rev) VALUES (@uid, @state, @expiresAt, 1)
      ON CONFLICT (uid) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at, rev = flow_state.rev + 1
      WHERE flow_state.expires_at <= @now RETURNING rev`),
    flowUpdate: db.prepare(`UPDATE flow_state SET state = @state, expires_at = @expiresAt, rev = rev + 1
      WHERE uid = @uid AND rev = @expectRev RETURNING rev`),
    lockAcquire: db.prepare(`INSERT INTO locks (name, owner, until) VALUES (@name, @owner, @until)
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
      WHERE locks.until <= @now OR locks.owner = excluded.owner RETURNING owner`),
    lockRelease: db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?'),
    purgeLocks: db.prepare('DELETE FROM locks WHERE until <= ?'),
    ping: db.prepare('SELECT 1'),
    otpKill: db.prepare('UPDATE otp_challenges SET dead = 1 WHERE interaction_uid = ? AND purpose = ? AND dead = 0'),
    otpKillOne: db.prepare('UPDATE otp_challenges SET dead = 1 WHERE id = ?'),
    otpInsert: db.prepare(`INSERT INTO otp_challenges
      (id, interaction_uid, phone, purpose, code_hash, attempts, max_attempts, created_at, expires_at)
      VALUES (@id, @interactionUid, @phone, @purpose, @codeHash, @attempts, @maxAttempts, @createdAt, @expiresAt)`),
    otpActive: db.prepare(`SELECT * FROM otp_challenges WHERE interaction_uid = ? AND purpose = ?
      AND dead = 0 AND consumed_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1`),
    otpConsume: db.prepare(`UPDATE otp_challenges SET consumed_at = ?
      WHERE id = ? AND dead = 0 AND consumed_at IS NULL AND expires_at > ? AND attempts < max_attempts`),
    otpFail: db.prepare(`UPDATE otp_challenges SET attempts = attempts + 1,
        dead = CASE WHEN attempts + 1 >= max_attempts THEN 1 ELSE 0 END
      WHERE id = ? AND dead = 0 AND consumed_at IS NULL AND expires_at > ?
      RETURNING attempts, max_attempts`),
    otpCounters: db.prepare(`SELECT COUNT(*) AS sends, COALESCE(SUM(attempts), 0) AS failures
      FROM otp_challenges WHERE interaction_uid = ?`),
    smsInsert: db.prepare(`INSERT INTO sms_outbox (id, interaction_uid, recipient, body, usage, locale, status, next_attempt_at,
      created_at, expires_at, updated_at) VALUES (@id, @interactionUid, @to, @body, @usage, @locale, 'queued', @createdAt, @createdAt, @expiresAt, @createdAt)`),
    smsInsertLeased: db.prepare(`INSERT INTO sms_outbox (id, interaction_uid, recipient, body, usage, locale, status, attempts, lease_owner, lease_until,
      next_attempt_at, created_at, expires_at, updated_at) VALUES (@id, @interactionUid, @to, @body, @usage, @locale, 'sending', 1, @owner, @until,
      @createdAt, @createdAt, @expiresAt, @createdAt)`),
    // One statement: due queued messages and expired leases (a crashed owner's) are leased to @owner.
    smsClaim: db.prepare(`UPDATE sms_outbox SET status = 'sending', attempts = attempts + 1, lease_owner = @owner,
        lease_until = @until, updated_at = @now
      WHERE id IN (SELECT id FROM sms_outbox WHERE (status = 'queued' AND next_attempt_at <= @now)
        OR (status = 'sending' AND lease_until <= @now) ORDER BY next_attempt_at, created_at LIMIT @limit)
      RETURNING *`),
    smsRenew: db.prepare(`UPDATE sms_outbox SET lease_until = @until, updated_at = @now
      WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'sending' AND lease_owner = @owner RETURNING id`),
    smsRelease: db.prepare(`UPDATE sms_outbox SET status = 'queued', next_attempt_at = @now, lease_owner = NULL, lease_until = NULL,
      updated_at = @now WHERE status = 'sending' AND lease_owner = @owner`),
    smsSent: db.prepare(`UPDATE sms_outbox SET status = 'sent', body = NULL, connector = @connector, provider_message_id = @providerMessageId,
      lease_owner = NULL, lease_until = NULL, error = NULL, updated_at = @now WHERE id = @id AND status = 'sending' AND lease_owner = @owner`),
    smsFailed: db.prepare(`UPDATE sms_outbox SET status = 'failed', body = NULL, error = @error, lease_owner = NULL, lease_until = NULL,
      updated_at = @now WHERE id = @id AND status = 'sending' AND lease_owner = @owner`),
    smsRetry: db.prepare(`UPDATE sms_outbox SET status = 'queued', next_attempt_at = @at, step = @step, error = @error, lease_owner = NULL,
      lease_until = NULL, updated_at = @now WHERE id = @id AND status = 'sending' AND lease_owner = @owner`),
    smsPending: db.prepare("SELECT COUNT(*) AS n FROM sms_outbox WHERE status IN ('queued', 'sending')"),
    smsOldestDue: db.prepare(`SELECT MIN(created_at) AS at FROM sms_outbox
      WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?)`),
    smsReport: db.prepare(`UPDATE sms_outbox SET status = ?, error = COALESCE(?, error), updated_at = ?
      WHERE connector = ? AND provider_message_id = ?`),
    smsLatest: db.prepare('SELECT * FROM sms_outbox WHERE interaction_uid = ? ORDER BY created_at DESC, rowid DESC LIMIT 1'),
    smsGet: db.prepare('SELECT * FROM sms_outbox WHERE id = ?'),
    purgeSms: db.prepare('DELETE FROM sms_outbox WHERE expires_at <= ? AND status IN (\'sent\', \'delivered\', \'failed\')'),
    secretGet: db.prepare('SELECT value, rev FROM secrets WHERE name = ?'),
    secretRev: db.prepare('SELECT rev FROM secrets WHERE name = ?'),
    secretInsert: db.prepare('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'),
    secretCreate: db.prepare('INSERT INTO secrets (name, value, created_at, rev) VALUES (?, ?, ?, 1) ON CONFLICT (name) DO NOTHING RETURNING rev'),
    secretUpdate: db.prepare('UPDATE secrets SET value = ?, rev = rev + 1 WHERE name = ? AND rev = ? RETURNING rev'),
    secretNames: db.prepare('SELECT name FROM secrets ORDER BY name'),
    purgeOidc: db.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    purgeFlow: db.prepare('DELETE FROM flow_state WHERE expires_at <= ?'),
    purgeOtp: db.prepare('DELETE FROM otp_challenges WHERE expires_at <= ?'),
  };

  const guard = sqliteGuard(db);

  // Read and write under the write lock: another process's update of other fields is never overwritten.
  const updateUser = db.transaction((id: string, patch: UserPatch): User | undefined => {
    const current = toUser(q.userById.get(id) as Row | undefined);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    q.userUpdate.run({
      id, name: next.name, email: next.email, passwordHash: next.passwordHash, attributes: JSON.stringify(next.attributes),
      roles: JSON.stringify(next.roles), disabledAt: next.disabledAt,
    });
    return next;
  });

  const replaceOtp = db.transaction((c: OtpChallenge) => {
    q.otpKill.run(c.interactionUid, c.purpose);
    q.otpInsert.run(c);
  });

  return {
    kind: 'sqlite',
    guard,
    oidc: {
      async upsert(model, id, payload, expiresAt) {
        q.oidcUpsert.run({
          model,
          id,
          payload: JSON.stringify(payload),
          grantId: (payload.grantId as string | undefined) ?? null,
          userCode: (payload.userCode as string | undefined) ?? null,
          uid: (payload.uid as string | undefined) ?? null,
          accountId: (payload.accountId as string | undefined) ?? null,
          expiresAt,
        });
      },
      async find(model, id) { return toRecord(q.oidcFind.get(model, id) as Row | undefined, Date.now()); },
      async findByUid(model, uid) { return toRecord(q.oidcFindByUid.get(model, uid) as Row | undefined, Date.now()); },
      async findByUserCode(model, code) { return toRecord(q.oidcFindByUserCode.get(model, code) as Row | undefined, Date.now()); },
      async consume(model, id, at) { q.oidcConsume.run(at, model, id); },
      async destroy(model, id) { q.oidcDestroy.run(model, id); },
      async revokeByGrantId(model, grantId) { q.oidcRevokeGrant.run(model, grantId); },
      async revokeByAccountId(accountId) { return q.oidcRevokeAccount.run(accountId).changes; },
      async revokeByAccountIdExcept(accountId, keep) {
        return q.oidcRevokeAccountExcept.run({ accountId, sessionUid: keep.sessionUid, grantIds: JSON.stringify(keep.grantIds) }).changes;
      },
    },
    users: {
      async findById(id) { return toUser(q.userById.get(id) as Row | undefined); },
      async findByPhone(phone) { return toUser(q.userByPhone.get(phone) as Row | undefined); },
      async create(u: NewUser) {
        const user: User = {
          id: randomUUID(),
          phone: u.phone,
          phoneVerified: u.phoneVerified ?? false,
          name: u.name ?? null,
          email: u.email ?? null,
          passwordHash: u.passwordHash ?? null,
          attributes: u.attributes ?? {},
          roles: [],
          disabledAt: null,
          createdAt: Date.now(),
        };
        q.userInsert.run({ ...user, phoneVerified: user.phoneVerified ? 1 : 0, attributes: JSON.stringify(user.attributes) });
        return user;
      },
      async update(id, patch) { return updateUser.immediate(id, patch); },
      async updatePhone(id, phone) {
        try {
          return q.userPhone.run(phone, id).changes === 1 ? 'updated' : 'missing';
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'taken';
          throw err;
        }
      },
      async search(query, limit) {
        const text = query.trim().slice(0, 100);
        const digits = /^[+\d\s().-]+$/.test(text) ? text.replace(/\D/g, '') : '';
        return (q.userSearch.all({ digits, text: digits ? '' : text, limit }) as Row[]).map((r) => toUser(r)!);
      },
      async remove(id) { return q.userDelete.run(id).changes === 1; },
    },
    config: sqliteConfig(db),
    flowState: {
      async get<T>(uid: string) {
        const row = q.flowGet.get(uid, Date.now()) as Row | undefined;
        return row ? { state: JSON.parse(row.state as string) as T, rev: row.rev as number } : undefined;
      },
      async put(uid, state, expiresAt, expectRev) {
        const json = JSON.stringify(state);
        const row = (expectRev === null
          ? q.flowCreate.get({ uid, state: json, expiresAt, now: Date.now() })
          : q.flowUpdate.get({ uid, state: json, expiresAt, expectRev })) as { rev: number } | undefined;
        return row?.rev;
      },
    },
    locks: {
      async acquire(name, owner, ttlMs, now) { return q.lockAcquire.get({ name, owner, until: now + ttlMs, now }) !== undefined; },
      async release(name, owner) { q.lockRelease.run(name, owner); },
    },
    otp: {
      async replace(challenge) { replaceOtp.immediate(challenge); },
      async kill(id) { q.otpKillOne.run(id); },
      async active(uid, purpose, now) { return toChallenge(q.otpActive.get(uid, purpose, now) as Row | undefined); },
      async settle(id, matches, now) {
        if (matches) {
          return q.otpConsume.run(now, id, now).changes === 1 ? { kind: 'consumed' } : { kind: 'dead' };
        }
        const row = q.otpFail.get(id, now) as { attempts: number; max_attempts: number } | undefined;
        if (!row || row.attempts >= row.max_attempts) return { kind: 'dead' };
        return { kind: 'wrong', attemptsLeft: row.max_attempts - row.attempts };
      },
      async counters(uid) {
        const row = q.otpCounters.get(uid) as { sends: number; failures: number };
        return { sends: row.sends, failures: row.failures };
      },
    },
    smsOutbox: {
      async enqueue(m, lease) {
        if (lease) q.smsInsertLeased.run({ ...m, owner: lease.owner, until: lease.until });
        else q.smsInsert.run({ ...m });
      },
      async claimDue(owner, now, limit, leaseMs) {
        const rows = (q.smsClaim.all({ owner, now, until: now + leaseMs, limit }) as Row[]);
        rows.sort((a, b) => (a.next_attempt_at as number) - (b.next_attempt_at as number) || (a.created_at as number) - (b.created_at as number));
        return rows.map((r) => toSms(r)!);
      },
      async renew(owner, ids, now, leaseMs) {
        if (ids.length === 0) return [];
        return (q.smsRenew.all({ owner, ids: JSON.stringify(ids), now, until: now + leaseMs }) as Array<{ id: string }>).map((r) => r.id);
      },
      async markSent(id, owner, connector, providerMessageId, now) { return q.smsSent.run({ id, owner, connector, providerMessageId, now }).changes === 1; },
      async markFailed(id, owner, error, now) { return q.smsFailed.run({ id, owner, error, now }).changes === 1; },
      async retryAt(id, owner, at, step, error, now) { return q.smsRetry.run({ id, owner, at, step, error, now }).changes === 1; },
      async releaseLeases(owner, now) { return q.smsRelease.run({ owner, now }).changes; },
      async pending() { return (q.smsPending.get() as { n: number }).n; },
      async oldestDueAt(now) { return (q.smsOldestDue.get(now, now) as { at: number | null }).at; },
      async reportStatus(connector, providerMessageId, status, now, error) {
        return q.smsReport.run(status, error ?? null, now, connector, providerMessageId).changes > 0;
      },
      async latestFor(uid) { return toSms(q.smsLatest.get(uid) as Row | undefined); },
      async get(id) { return toSms(q.smsGet.get(id) as Row | undefined); },
    },
    secrets: {
      async getOrCreate(name, make) {
        const existing = q.secretGet.get(name) as { value: string } | undefined;
        if (existing) return existing.value;
        q.secretInsert.run(name, await make(), Date.now());
        return (q.secretGet.get(name) as { value: string }).value;
      },
      async read(name) { return q.secretGet.get(name) as { value: string; rev: number } | undefined; },
      async rev(name) { return (q.secretRev.get(name) as { rev: number } | undefined)?.rev; },
      async write(name, value, expectRev) {
        const row = (expectRev === null ? q.secretCreate.get(name, value, Date.now()) : q.secretUpdate.get(value, name, expectRev)) as { rev: number } | undefined;
        return row?.rev;
      },
      async names() { return (q.secretNames.all() as Array<{ name: string }>).map((r) => r.name); },
    },
    async purgeExpired(now) {
      return db.transaction(() => q.purgeOidc.run(now).changes + q.purgeFlow.run(now).changes
        + q.purgeOtp.run(now - OTP_RETENTION_MS).changes + q.purgeSms.run(now - OTP_RETENTION_MS).changes + q.purgeLocks.run(now).changes + guard.purge(now))();
    },
    async ping() {
      try {
        q.ping.get();
      } catch (cause) {
        // The one 503 for an unreachable store; for a file this means the store was closed.
        throw storeUnavailable(cause);
      }
    },
    async close() { db.close(); },
  };
}
