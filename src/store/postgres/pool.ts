// The connection pool and the two ways the store talks to it: one statement (`run`) or one
// transaction (`tx`). Both map an unreachable database to the 503 once (errors.ts), so no store
// method handles it itself. An idle client's error (the server restarted under it) only drops that
// client; the next call connects anew, so the store recovers by itself when the database returns.
import pg from 'pg';
import { storeError } from './errors.ts';
import type { PostgresOptions } from './options.ts';

export type Row = Record<string, unknown>;
export type Run = (text: string, params?: readonly unknown[]) => Promise<pg.QueryResult<Row>>;

export interface Db {
  run: Run;
  /**
   * Runs `fn` in one transaction (READ COMMITTED): committed when it returns, rolled back when it
   * throws. `begin`: parameterless statements sent with BEGIN in the same round trip (the locks a
   * transaction takes first; see locking.ts).
   */
  tx<T>(fn: (run: Run) => Promise<T>, begin?: string): Promise<T>;
  end(): Promise<void>;
}

const INT8 = 20;

/** int8 (BIGINT, COUNT(*)) as a number: every one the store keeps is an epoch-ms time or a count, far below 2^53. */
export const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Client settings shared by the pool and the migration session. */
export function clientConfig(url: string, options: PostgresOptions): pg.ClientConfig {
  return {
    connectionString: url,
    types,
    statement_timeout: options.statementTimeoutMs,
    // A transaction left open (its instance stalled) is ended by the server, freeing the locks it holds.
    idle_in_transaction_session_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    application_name: 'flowgate',
  };
}

export function createDb(url: string, options: PostgresOptions): Db {
  const pool = new pg.Pool({ ...clientConfig(url, options), max: options.poolSize, idleTimeoutMillis: 30_000 });
  // Without a listener an idle client's error (57P01 at a server restart) would crash the process.
  pool.on('error', () => {});

  const run: Run = async (text, params) => {
    try {
      return await pool.query<Row>(text, params as unknown[] | undefined);
    } catch (err) {
      throw storeError(err);
    }
  };

  async function tx<T>(fn: (run: Run) => Promise<T>, begin = ''): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw storeError(err);
    }
    let broken: Error | undefined;
    // While checked out the pool does not listen: a connection that dies between or under our
    // statements emits 'error' on the client, which would crash the process unheard.
    const onError = (err: Error) => { broken ??= err; };
    client.on('error', onError);
    try {
      await client.query(begin ? `BEGIN; ${begin}` : 'BEGIN');
      const result = await fn((text, params) => client.query<Row>(text, params as unknown[] | undefined));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => { broken ??= e; });
      throw storeError(err);
    } finally {
      // A client whose connection failed is not given back to the pool; it keeps our listener for late errors.
      if (!broken) client.removeListener('error', onError);
      client.release(broken ?? false);
    }
  }

  return { run, tx, end: () => pool.end() };
}
