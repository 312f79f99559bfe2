// PostgreSQL store (pg): the store for N instances. Opening it applies the migrations under an
// advisory lock (migrations.ts) and leaves a pool (pool.ts) through which every call goes, so an
// unreachable database is a 503 everywhere (errors.ts). Each operation that must be atomic across
// instances is one conditional statement or one transaction; see the files per concern.
import pg from 'pg';
import { AppError, storeUnavailable } from '../../errors.ts';
import type { Store } from '../types.ts';
import { postgresConfig } from './config.ts';
import { StoreOpenError } from './errors.ts';
import { postgresGuard } from './guard.ts';
import { lockStatements } from './locking.ts';
import { migrate } from './migrations.ts';
import { postgresOidc } from './oidc.ts';
import { maskUrl, POSTGRES_DEFAULTS, type PostgresOptions } from './options.ts';
import { clientConfig, createDb } from './pool.ts';
import { postgresSmsOutbox } from './sms-outbox.ts';
import { postgresUsers } from './users.ts';
import { toChallenge } from '../rows.ts';

/** How long spent challenges are kept so per-interaction counters stay right (ms); as on SQLite. */
const OTP_RETENTION_MS = 2 * 60 * 60 * 1000;
/** A migration may wait this long for another instance's (statement timeout of the migration session). */
const MIGRATION_TIMEOUT_MS = 120_000;

/** Connects once, applies the missing migrations in that session under the advisory lock, and closes it. */
async function migrateOnce(url: string, options: PostgresOptions): Promise<void> {
  const client = new pg.Client({ ...clientConfig(url, options), statement_timeout: MIGRATION_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await migrate(client);
  } catch (err) {
    // pg's and the socket's messages name the host and the user, never the password.
    const why = (err as Error).message || ((err as { code?: string }).code ?? 'unknown error');
    throw new StoreOpenError(`DATABASE_URL ${maskUrl(url)}: cannot open the PostgreSQL store (${why})`, { cause: err });
  } finally {
    await client.end().catch(() => {});
  }
}

export async function openPostgresStore(url: string, opts: Partial<PostgresOptions> = {}): Promise<Store> {
  const options = { ...POSTGRES_DEFAULTS, ...opts };
  await migrateOnce(url, options);
  const db = createDb(url, options);
  const guard = postgresGuard(db);

  return {
    kind: 'postgres',
    guard,
    oidc: postgresOidc(db),
    users: postgresUsers(db),
    config: postgresConfig(db),
    flowState: {
      async get<T>(uid: string) {
        const row = (await db.run('SELECT state, rev FROM flow_state WHERE uid = $1 AND expires_at > $2', [uid, Date.now()])).rows[0];
        return row ? { state: JSON.parse(row.state as string) as T, rev: row.rev as number } : undefined;
      },
      async put(uid, state, expiresAt, expectRev) {
        const json = JSON.stringify(state);
        // A first write: no live state may exist (an expired one counts as none, and its rev goes on).
        const { rows } = expectRev === null
          ? await db.run(`INSERT INTO flow_state (uid, state, expires_at, rev) VALUES ($1, $2, $3, 1)
              ON CONFLICT (uid) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at, rev = flow_state.rev + 1
              WHERE flow_state.expires_at <= $4 RETURNING rev`, [uid, json, expiresAt, Date.now()])
          : await db.run('UPDATE flow_state SET state = $2, expires_at = $3, rev = rev + 1 WHERE uid = $1 AND rev = $4 RETURNING rev',
            [uid, json, expiresAt, expectRev]);
        return rows[0]?.rev as number | undefined;
      },
    },
    locks: {
      async acquire(name, owner, ttlMs, now) {
        const { rowCount } = await db.run(`INSERT INTO locks (name, owner, lease_until) VALUES ($1, $2, $3)
          ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
          WHERE locks.lease_until <= $4 OR locks.owner = excluded.owner RETURNING owner`, [name, owner, now + ttlMs, now]);
        return rowCount === 1;
      },
      async release(name, owner) { await db.run('DELETE FROM locks WHERE name = $1 AND owner = $2', [name, owner]); },
    },
    otp: {
      async replace(c) {
        // Under the interaction and purpose's lock: two replacements at once leave one live challenge.
        await db.tx(async (run) => {
          await run('UPDATE otp_challenges SET dead = true WHERE interaction_uid = $1 AND purpose = $2 AND NOT dead', [c.interactionUid, c.purpose]);
          await run(`INSERT INTO otp_challenges (id, interaction_uid, phone, purpose, code_hash, attempts, max_attempts, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [c.id, c.interactionUid, c.phone, c.purpose, c.codeHash, c.attempts, c.maxAttempts, c.createdAt, c.expiresAt]);
        }, lockStatements('otp', [`${c.interactionUid}\n${c.purpose}`]));
      },
      async kill(id) { await db.run('UPDATE otp_challenges SET dead = true WHERE id = $1', [id]); },
      async active(uid, purpose, now) {
        return toChallenge((await db.run(`SELECT * FROM otp_challenges WHERE interaction_uid = $1 AND purpose = $2
          AND NOT dead AND consumed_at IS NULL AND expires_at > $3 ORDER BY created_at DESC LIMIT 1`, [uid, purpose, now])).rows[0]);
      },
      async settle(id, matches, now) {
        // One conditional UPDATE each way: parallel right guesses queue on the row, and only the first finds it live.
        if (matches) {
          const { rowCount } = await db.run(`UPDATE otp_challenges SET consumed_at = $2
            WHERE id = $1 AND NOT dead AND consumed_at IS NULL AND expires_at > $2 AND attempts < max_attempts`, [id, now]);
          return rowCount === 1 ? { kind: 'consumed' } : { kind: 'dead' };
        }
        const row = (await db.run(`UPDATE otp_challenges SET attempts = attempts + 1, dead = (attempts + 1 >= max_attempts)
          WHERE id = $1 AND NOT dead AND consumed_at IS NULL AND expires_at > $2 RETURNING attempts, max_attempts`, [id, now])).rows[0];
        if (!row) return { kind: 'dead' };
        const attempts = row.attempts as number;
        const max = row.max_attempts as number;
        return attempts >= max ? { kind: 'dead' } : { kind: 'wrong', attemptsLeft: max - attempts };
      },
      async counters(uid) {
        const row = (await db.run(`SELECT COUNT(*) AS sends, COALESCE(SUM(attempts), 0)::bigint AS failures
          FROM otp_challenges WHERE interaction_uid = $1`, [uid])).rows[0]!;
        return { sends: row.sends as number, failures: row.failures as number };
      },
    },
    smsOutbox: postgresSmsOutbox(db),
    secrets: {
      async getOrCreate(name, make) {
        const get = async () => (await db.run('SELECT value FROM secrets WHERE name = $1', [name])).rows[0]?.value as string | undefined;
        const existing = await get();
        if (existing !== undefined) return existing;
        // First writer wins: a second instance making its own value at the same time keeps the stored one.
        await db.run('INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, await make(), Date.now()]);
        return (await get())!;
      },
      async read(name) {
        return (await db.run('SELECT value, rev FROM secrets WHERE name = $1', [name])).rows[0] as { value: string; rev: number } | undefined;
      },
      async rev(name) { return (await db.run('SELECT rev FROM secrets WHERE name = $1', [name])).rows[0]?.rev as number | undefined; },
      async write(name, value, expectRev) {
        const { rows } = expectRev === null
          ? await db.run('INSERT INTO secrets (name, value, created_at, rev) VALUES ($1, $2, $3, 1) ON CONFLICT (name) DO NOTHING RETURNING rev', [name, value, Date.now()])
          : await db.run('UPDATE secrets SET value = $2, rev = rev + 1 WHERE name = $1 AND rev = $3 RETURNING rev', [name, value, expectRev]);
        return rows[0]?.rev as number | undefined;
      },
      async names() { return (await db.run('SELECT name FROM secrets ORDER BY name')).rows.map((r) => r.name as string); },
    },
    async purgeExpired(now) {
      return db.tx(async (run) => {
        let n = 0;
        for (const [sql, at] of [
          ['DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= $1', now],
          ['DELETE FROM flow_state WHERE expires_at <= $1', now],
          ['DELETE FROM otp_challenges WHERE expires_at <= $1', now - OTP_RETENTION_MS],
          ["DELETE FROM sms_outbox WHERE expires_at <= $1 AND status IN ('sent', 'delivered', 'failed')", now - OTP_RETENTION_MS],
          ['DELETE FROM locks WHERE lease_until <= $1', now],
        ] as const) n += (await run(sql, [at])).rowCount ?? 0;
        return n + await guard.purge(run, now);
      });
    },
    async ping() {
      try {
        await db.run('SELECT 1');
      } catch (err) {
        throw err instanceof AppError && err.status === 503 ? err : storeUnavailable(err);
      }
    },
    async close() { await db.end(); },
  };
}
