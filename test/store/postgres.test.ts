// What is particular to the PostgreSQL store (the shared contract is in contract-*.test.ts): migrations
// under the advisory lock when instances start together, an outage as a 503 and the recovery after
// it, a statement timeout as a 503, the password of a DATABASE_URL never shown, the pool settings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { AppError } from '../../src/errors.ts';
import { runtimeFromEnv } from '../../src/runtime.ts';
import { openStore } from '../../src/store/open.ts';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { lockId } from '../../src/store/postgres/locking.ts';
import { migrations } from '../../src/store/postgres/migrations.ts';
import { maskUrl } from '../../src/store/postgres/options.ts';
import type { Store } from '../../src/store/types.ts';
import { freePort } from '../helpers/process.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';

let server: PgServer;
before(async () => { server = await startPostgres(); });
after(async () => { await server?.destroy(); });

const T = { timeout: 60_000 };

async function withStores<R>(stores: Store[], fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

const isUnavailable = (err: unknown) => {
  assert.ok(err instanceof AppError, `an AppError, not ${String(err)}`);
  assert.equal(err.status, 503);
  assert.equal(err.code, 'store_unavailable');
  assert.equal(err.headers['retry-after'], '2');
  return true;
};

test('five instances starting at once on a fresh database all open it, and each migration is applied once', T, async () => {
  const url = await server.createDatabase();
  const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(url, { poolSize: 2 })));
  await withStores(stores, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), migrations.map((_, i) => i + 1));
      // Every instance works on the one schema: a user made by one is found by the others.
      const user = await stores[0]!.users.create({ phone: '+12025550100', name: 'Ada' });
      for (const s of stores) assert.deepEqual(await s.users.findById(user.id), user);
      // Opening again applies nothing new.
      const again = await openPostgresStore(url);
      await again.close();
      const after = await client.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
      assert.deepEqual(after.rows, rows);
    } finally {
      await client.end();
    }
  });
});

test('epoch-ms columns come back as numbers', T, async () => {
  const store = await openStore(await server.createDatabase());
  await withStores([store], async () => {
    assert.equal(store.kind, 'postgres');
    const user = await store.users.create({ phone: '+12025550101' });
    const found = await store.users.findById(user.id);
    assert.equal(typeof found!.createdAt, 'number');
    assert.equal(found!.createdAt, user.createdAt);
    await store.config.appendAudit({ actor: 'cli', action: 'x', target: 'y', diff: [] }, 1_700_000_000_000);
    const [entry] = await store.config.audit({ limit: 1 });
    assert.equal(entry!.at, 1_700_000_000_000);
    assert.equal(typeof entry!.id, 'number');
  });
});

test('while the database is down every call is a 503 (fast, not hanging); when it is back the same store works, data intact', { timeout: 120_000 }, async (t) => {
  const store = await openPostgresStore(await server.createDatabase(), { connectTimeoutMs: 2000 });
  await withStores([store], async () => {
    const user = await store.users.create({ phone: '+12025550102', name: 'Grace' });
    await store.secrets.getOrCreate('cookie-key', async () => 'k1');
    // Idle clients sit in the pool while the server stops under them: their errors must not crash the process.
    await Promise.all([store.ping(), store.users.findById(user.id), store.secrets.getOrCreate('cookie-key', async () => 'k2')]);
    await server.stopServer();
    try {
      const started = Date.now();
      await assert.rejects(store.users.findById(user.id), isUnavailable);
      await assert.rejects(store.ping(), isUnavailable);
      // A transaction (the guard's take) and a conditional write fail the same way.
      await assert.rejects(store.guard.take([{ name: 'cap', key: 'send:+12025550102', windowMs: 60_000, limit: 3 }], '', Date.now()), isUnavailable);
      await assert.rejects(store.flowState.put('uid-1', { a: 1 }, Date.now() + 60_000, null), isUnavailable);
      t.diagnostic(`four calls during the outage answered 503 in ${Date.now() - started} ms`);
    } finally {
      await server.startServer();
    }
    await store.ping();
    assert.deepEqual(await store.users.findById(user.id), user);
    assert.equal(await store.secrets.getOrCreate('cookie-key', async () => 'k3'), 'k1');
    assert.deepEqual(await store.guard.take([{ name: 'cap', key: 'send:+12025550102', windowMs: 60_000, limit: 3 }], '', Date.now()), { ok: true });
  });
});

test('a transaction cut off by a server shutdown mid-statement is a 503, and its broken connection does not crash the process', { timeout: 120_000 }, async () => {
  const url = await server.createDatabase();
  const store = await openPostgresStore(url, { statementTimeoutMs: 30_000 });
  const holder = new pg.Client({ connectionString: url });
  holder.on('error', () => {});
  await holder.connect();
  await withStores([store], async () => {
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [String(lockId('guard-take', 'send:cut'))]);
    // The take waits on the key's lock inside its transaction, on a checked-out connection, when the server goes.
    const refused = assert.rejects(store.guard.take([{ name: 'cap', key: 'send:cut', windowMs: 60_000, limit: 3 }], '', Date.now()), isUnavailable);
    while (Number((await holder.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0].n) === 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await server.stopServer();
    try {
      await refused;
    } finally {
      await server.startServer();
    }
    assert.deepEqual(await store.guard.take([{ name: 'cap', key: 'send:cut', windowMs: 60_000, limit: 3 }], '', Date.now()), { ok: true });
  }).finally(() => holder.end().catch(() => {}));
});

test('a statement that runs past the statement timeout is cancelled and answers 503; other keys are not held up', T, async () => {
  const url = await server.createDatabase();
  const store = await openPostgresStore(url, { statementTimeoutMs: 300 });
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await withStores([store], async () => {
    // Another session holds the guard's lock on one key (as a stuck instance would).
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [String(lockId('guard-take', 'send:held'))]);
    const rule = (key: string) => [{ name: 'cap', key, windowMs: 60_000, limit: 3 }];
    await assert.rejects(store.guard.take(rule('send:held'), '', Date.now()), isUnavailable);
    assert.deepEqual(await store.guard.take(rule('send:free'), '', Date.now()), { ok: true });
    await holder.query('ROLLBACK');
    assert.deepEqual(await store.guard.take(rule('send:held'), '', Date.now()), { ok: true });
  }).finally(() => holder.end());
});

test('text PostgreSQL cannot store (a NUL) is refused as invalid input, not a server error; NUL inside JSON stores fine', T, async () => {
  const store = await openPostgresStore(await server.createDatabase());
  await withStores([store], async () => {
    await assert.rejects(store.users.create({ phone: '+12025550103', name: 'a\u0000b' }), { name: 'AppError', status: 400, code: 'invalid_input' });
    assert.equal(await store.users.findByPhone('+12025550103'), undefined);
    const rev = await store.flowState.put('uid-nul', { note: 'a\u0000b' }, Date.now() + 60_000, null);
    assert.deepEqual(await store.flowState.get('uid-nul'), { state: { note: 'a\u0000b' }, rev });
  });
});

test('the password of a DATABASE_URL is never shown', T, async () => {
  const port = await freePort();
  const url = `postgres://flowgate:s3cr%40t-pw@127.0.0.1:${port}/flowgate`;
  await assert.rejects(openStore(url, { connectTimeoutMs: 1000 }), (err: Error) => {
    assert.equal(err.name, 'StoreOpenError');
    assert.doesNotMatch(err.message, /s3cr/);
    assert.match(err.message, /postgres:\/\/flowgate:\*\*\*@127\.0\.0\.1/);
    assert.match(err.message, /ECONNREFUSED/);
    return true;
  });
  await assert.rejects(openStore('mysql://root:hunter2@db/x'), (err: Error) => !err.message.includes('hunter2') && /unsupported scheme/.test(err.message));
  assert.equal(maskUrl('postgresql://u:p@h:5432/d?sslmode=require&password=x'), 'postgresql://u:***@h:5432/d?sslmode=require&password=***');
  assert.equal(maskUrl('postgres://h/d'), 'postgres://h/d');
});

test('the pool settings come from the environment, with defaults, and a bad one is refused in one line', () => {
  assert.deepEqual(runtimeFromEnv({}).postgres, { poolSize: 10, statementTimeoutMs: 5000, connectTimeoutMs: 5000 });
  assert.deepEqual(runtimeFromEnv({ DATABASE_POOL_SIZE: '25', DATABASE_STATEMENT_TIMEOUT_MS: '2000', DATABASE_CONNECT_TIMEOUT_MS: '1500' }).postgres,
    { poolSize: 25, statementTimeoutMs: 2000, connectTimeoutMs: 1500 });
  for (const [name, value] of [['DATABASE_POOL_SIZE', '0'], ['DATABASE_POOL_SIZE', 'ten'], ['DATABASE_POOL_SIZE', '2.5'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1'], ['DATABASE_CONNECT_TIMEOUT_MS', '1e3']] as const) {
    assert.throws(() => runtimeFromEnv({ [name]: value }), (err: Error) => {
      assert.equal(err.name, 'ConfigError');
      assert.equal(err.message, `${name}: '${value}' is not a whole number from ${name === 'DATABASE_POOL_SIZE' ? '1 to 1000' : '100 to 600000'}`);
      return true;
    });
  }
});
