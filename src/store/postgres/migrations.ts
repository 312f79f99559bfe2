// Versioned schema migrations for the PostgreSQL store, applied at start-up in one session under an
// advisory lock, so instances starting together apply each version once; `schema_migrations`
// records what is applied. Times are epoch ms (BIGINT). JSON is kept as TEXT, byte for byte what
// JSON.stringify wrote (as on SQLite): nothing queries inside it, key order survives (a flow's export
// reads as it was written), and a `\u0000` in a string, which JSONB refuses, stores fine. Key
// columns the store compares by range or orders by use the "C" collation (byte order, as SQLite).
import pg from 'pg';

/** The advisory lock key every flowgate instance takes while it migrates ('flowgate' in ASCII, as a bigint). */
export const MIGRATION_LOCK_KEY = '7380396447979631717';

export const migrations: readonly string[] = [
  `
  CREATE TABLE oidc_models (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    account_id TEXT,
    expires_at BIGINT,
    consumed_at BIGINT,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_models_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
  CREATE INDEX oidc_models_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_models_account ON oidc_models (account_id) WHERE account_id IS NOT NULL;
  CREATE INDEX oidc_models_expires ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,
    phone_verified BOOLEAN NOT NULL DEFAULT false,
    name TEXT,
    email TEXT,
    password_hash TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    roles TEXT NOT NULL DEFAULT '[]',
    disabled_at BIGINT,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX users_created ON users (created_at DESC, id);

  CREATE TABLE flow_state (
    uid TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    rev INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX flow_state_expires ON flow_state (expires_at);

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
  );
  CREATE INDEX locks_until ON locks (lease_until);

  CREATE TABLE otp_challenges (
    id TEXT PRIMARY KEY,
    interaction_uid TEXT NOT NULL,
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT,
    dead BOOLEAN NOT NULL DEFAULT false
  );
  CREATE INDEX otp_by_interaction ON otp_challenges (interaction_uid, purpose);
  CREATE INDEX otp_expires ON otp_challenges (expires_at);

  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    interaction_uid TEXT,
    recipient TEXT NOT NULL,
    body TEXT,
    usage TEXT NOT NULL,
    locale TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    step INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    connector TEXT,
    provider_message_id TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
  CREATE INDEX sms_outbox_interaction ON sms_outbox (interaction_uid, created_at DESC, seq DESC);
  CREATE INDEX sms_outbox_provider ON sms_outbox (connector, provider_message_id);

  CREATE TABLE guard_events (
    key TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    value TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX guard_events_key_at ON guard_events (key, at);
  CREATE INDEX guard_events_at ON guard_events (at);

  CREATE TABLE guard_counts (
    key TEXT COLLATE "C" NOT NULL,
    bucket BIGINT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, bucket)
  );
  CREATE INDEX guard_counts_bucket ON guard_counts (bucket);

  CREATE TABLE guard_last (
    key TEXT COLLATE "C" PRIMARY KEY,
    at BIGINT NOT NULL
  );

  CREATE TABLE guard_failures (
    key TEXT COLLATE "C" PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at BIGINT NOT NULL
  );

  CREATE TABLE config_docs (
    kind TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    active_version INTEGER NOT NULL,
    latest_version INTEGER NOT NULL,
    latest_file_version INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL,
    built_in BOOLEAN NOT NULL DEFAULT false,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE TABLE config_versions (
    kind TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, id, version)
  );
  CREATE TABLE config_generation (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    n BIGINT NOT NULL
  );
  INSERT INTO config_generation (one, n) VALUES (1, 0);
  CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    diff TEXT NOT NULL
  );
  CREATE INDEX audit_log_target ON audit_log (target, id);
  `,
  `
  ALTER TABLE secrets ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
  `,
];

/**
 * Applies the missing versions, each in its own transaction, holding the advisory lock for the
 * whole run: a second instance waits on the lock, then finds everything applied. `client` is a
 * dedicated session (a session-level advisory lock belongs to one connection).
 */
export async function migrate(client: pg.Client, now: () => number = Date.now): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (let v = 1; v <= migrations.length; v += 1) {
      if (done.has(v)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migrations[v - 1]!);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [v, now()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(v);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
}
