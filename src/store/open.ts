// Opens the store named by DATABASE_URL: sqlite:<path> (default; one process) or
// postgres://… / postgresql://… (N instances; the pool settings come from the environment, src/runtime.ts),
// with its secrets sealed under the key encryption key when one is given.
import { StoreOpenError } from './postgres/errors.ts';
import type { PostgresOptions } from './postgres/options.ts';
import { databaseUrlProblem, sqlitePath } from './database-url.ts';
import { protectSecrets } from './sealed-secrets.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { Store } from './types.ts';

export interface OpenOptions {
  /** FLOWGATE_KEY_ENCRYPTION_KEY (32 bytes): secrets are stored sealed under it (src/store/sealed-secrets.ts). */
  keyEncryptionKey?: Buffer;
}

export async function openStore(databaseUrl: string, postgres: Partial<PostgresOptions> = {}, opts: OpenOptions = {}): Promise<Store> {
  const store = await openKind(databaseUrl, postgres);
  try {
    return await protectSecrets(store, opts.keyEncryptionKey);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}

async function openKind(databaseUrl: string, postgres: Partial<PostgresOptions>): Promise<Store> {
  const problem = databaseUrlProblem(databaseUrl);
  if (problem) throw new StoreOpenError(problem);
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    const file = sqlitePath(databaseUrl);
    try {
      return openSqliteStore(file);
    } catch (err) {
      // A directory that cannot be made or written, a file that is not a database: one line, naming both.
      const { code, message } = err as NodeJS.ErrnoException;
      const why = code && !message.startsWith(code) ? `${code}: ${message}` : message;
      throw new StoreOpenError(`DATABASE_URL sqlite:${path}: cannot open the SQLite store at ${file} (${why.split('\n')[0]})`, { cause: err });
    }
  }
  // Loaded on demand: a SQLite deployment never loads pg.
  const { openPostgresStore } = await import('./postgres/index.ts');
  return openPostgresStore(databaseUrl, postgres);
}
