// The SMS queue on PostgreSQL. A claim locks the due rows it takes with FOR UPDATE SKIP LOCKED, so
// workers on several instances claiming at once each lease different messages without waiting on
// one another; every write after the claim is conditional on the owner still holding the lease.
import type { SmsOutboxStore } from '../types.ts';
import type { Db } from './pool.ts';
import { toSms } from '../rows.ts';

/** The lease-holder condition every settling write carries ($1 id, $2 owner). */
const HELD = "id = $1 AND status = 'sending' AND lease_owner = $2";

export function postgresSmsOutbox(db: Db): SmsOutboxStore {
  const changed = async (sql: string, params: readonly unknown[]) => (await db.run(sql, params)).rowCount === 1;
  return {
    async enqueue(m, lease) {
      if (lease) {
        await db.run(`INSERT INTO sms_outbox (id, interaction_uid, recipient, body, usage, locale, status, attempts, lease_owner, lease_until,
            next_attempt_at, created_at, expires_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, 'sending', 1, $9, $10, $7, $7, $8, $7)`,
        [m.id, m.interactionUid, m.to, m.body, m.usage, m.locale, m.createdAt, m.expiresAt, lease.owner, lease.until]);
        return;
      }
      await db.run(`INSERT INTO sms_outbox (id, interaction_uid, recipient, body, usage, locale, status, next_attempt_at, created_at, expires_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7, $8, $7)`, [m.id, m.interactionUid, m.to, m.body, m.usage, m.locale, m.createdAt, m.expiresAt]);
    },
    async claimDue(owner, now, limit, leaseMs) {
      // Due queued messages and expired leases (a crashed owner's); rows another claim holds are skipped, not waited for.
      const { rows } = await db.run(`WITH due AS MATERIALIZED (
          SELECT id FROM sms_outbox WHERE (status = 'queued' AND next_attempt_at <= $2) OR (status = 'sending' AND lease_until <= $2)
          ORDER BY next_attempt_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
        UPDATE sms_outbox AS s SET status = 'sending', attempts = s.attempts + 1, lease_owner = $1, lease_until = $3, updated_at = $2
        FROM due WHERE s.id = due.id RETURNING s.*`, [owner, now, now + leaseMs, limit]);
      rows.sort((a, b) => (a.next_attempt_at as number) - (b.next_attempt_at as number) || (a.created_at as number) - (b.created_at as number));
      return rows.map((r) => toSms(r)!);
    },
    async renew(owner, ids, now, leaseMs) {
      if (ids.length === 0) return [];
      const { rows } = await db.run(`UPDATE sms_outbox SET lease_until = $3, updated_at = $4
        WHERE id = ANY($1::text[]) AND status = 'sending' AND lease_owner = $2 RETURNING id`, [[...ids], owner, now + leaseMs, now]);
      return rows.map((r) => r.id as string);
    },
    markSent(id, owner, connector, providerMessageId, now) {
      return changed(`UPDATE sms_outbox SET status = 'sent', body = NULL, connector = $3, provider_message_id = $4, lease_owner = NULL,
        lease_until = NULL, error = NULL, updated_at = $5 WHERE ${HELD}`, [id, owner, connector, providerMessageId, now]);
    },
    markFailed(id, owner, error, now) {
      return changed(`UPDATE sms_outbox SET status = 'failed', body = NULL, error = $3, lease_owner = NULL, lease_until = NULL,
        updated_at = $4 WHERE ${HELD}`, [id, owner, error, now]);
    },
    retryAt(id, owner, at, step, error, now) {
      return changed(`UPDATE sms_outbox SET status = 'queued', next_attempt_at = $3, step = $4, error = $5, lease_owner = NULL,
        lease_until = NULL, updated_at = $6 WHERE ${HELD}`, [id, owner, at, step, error, now]);
    },
    async releaseLeases(owner, now) {
      return (await db.run(`UPDATE sms_outbox SET status = 'queued', next_attempt_at = $2, lease_owner = NULL, lease_until = NULL,
        updated_at = $2 WHERE status = 'sending' AND lease_owner = $1`, [owner, now])).rowCount ?? 0;
    },
    async reportStatus(connector, providerMessageId, status, now, error) {
      return ((await db.run(`UPDATE sms_outbox SET status = $1, error = COALESCE($2, error), updated_at = $3
        WHERE connector = $4 AND provider_message_id = $5`, [status, error ?? null, now, connector, providerMessageId])).rowCount ?? 0) > 0;
    },
    async latestFor(uid) {
      return toSms((await db.run('SELECT * FROM sms_outbox WHERE interaction_uid = $1 ORDER BY created_at DESC, seq DESC LIMIT 1', [uid])).rows[0]);
    },
    async get(id) { return toSms((await db.run('SELECT * FROM sms_outbox WHERE id = $1', [id])).rows[0]); },
    async pending() {
      return (await db.run("SELECT COUNT(*) AS n FROM sms_outbox WHERE status IN ('queued', 'sending')")).rows[0]!.n as number;
    },
    async oldestDueAt(now) {
      return (await db.run(`SELECT MIN(created_at) AS at FROM sms_outbox
        WHERE (status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until <= $1)`, [now])).rows[0]!.at as number | null;
    },
  };
}
