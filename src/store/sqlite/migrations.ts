// Versioned schema migrations for the SQLite store; applied in order, recorded in user_version.
export const migrations: readonly string[] = [
  `
  CREATE TABLE oidc_models (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_models_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
  CREATE INDEX oidc_models_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_models_expires ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,
    phone_verified INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    email TEXT,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE flow_state (
    uid TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX flow_state_expires ON flow_state (expires_at);

  CREATE TABLE otp_challenges (
    id TEXT PRIMARY KEY,
    interaction_uid TEXT NOT NULL,
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER,
    dead INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX otp_by_interaction ON otp_challenges (interaction_uid, purpose);
  CREATE INDEX otp_expires ON otp_challenges (expires_at);

  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE users ADD COLUMN password_hash TEXT;
  ALTER TABLE users ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE oidc_models ADD COLUMN account_id TEXT;
  CREATE INDEX oidc_models_account ON oidc_models (account_id) WHERE account_id IS NOT NULL;
  `,
  `
  CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY,
    interaction_uid TEXT,
    recipient TEXT NOT NULL,
    body TEXT,
    usage TEXT NOT NULL,
    locale TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    connector TEXT,
    provider_message_id TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
  CREATE INDEX sms_outbox_interaction ON sms_outbox (interaction_uid);
  CREATE INDEX sms_outbox_provider ON sms_outbox (connector, provider_message_id);
  `,
  `
  CREATE TABLE guard_events (
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    value TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX guard_events_key_at ON guard_events (key, at);
  CREATE INDEX guard_events_at ON guard_events (at);

  CREATE TABLE guard_counts (
    key TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, bucket)
  ) WITHOUT ROWID;

  CREATE TABLE guard_last (
    key TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE guard_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE users ADD COLUMN disabled_at INTEGER;

  CREATE TABLE config_docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    active_version INTEGER NOT NULL,
    latest_version INTEGER NOT NULL,
    latest_file_version INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL,
    built_in INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE TABLE config_versions (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id, version)
  );
  CREATE TABLE config_generation (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    n INTEGER NOT NULL
  );
  INSERT INTO config_generation (one, n) VALUES (1, 0);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    diff TEXT NOT NULL
  );
  CREATE INDEX audit_log_target ON audit_log (target, id);
  `,
  `
  ALTER TABLE flow_state ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until INTEGER NOT NULL
  );
  CREATE INDEX locks_until ON locks (until);

  ALTER TABLE sms_outbox ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sms_outbox ADD COLUMN lease_owner TEXT;
  `,
  `
  ALTER TABLE secrets ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
  `,
  // Leases are taken and given back on every interaction request: one b-tree (WITHOUT ROWID, keyed
  // by name) instead of a table, its primary-key index and an index on until, so each write
  // changes one page, not three. The purge's scan of this small table needs no index.
  `
  CREATE TABLE locks_keyed (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO locks_keyed (name, owner, until) SELECT name, owner, until FROM locks;
  DROP TABLE locks;
  ALTER TABLE locks_keyed RENAME TO locks;
  `,
];
