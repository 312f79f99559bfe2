// DATABASE_URL's own rules, checked before anything is opened (so `config check` and the start
// refuse alike): a known scheme, a PostgreSQL URL that parses, and for SQLite a folder that exists;
// only the default ./data folder is made on first start.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { maskUrl } from './postgres/options.ts';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/flowgate.db';

/** The SQLite file a sqlite: URL names (`:memory:` as is). */
export function sqlitePath(databaseUrl: string): string {
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' ? path : resolve(path);
}

/** What is wrong with `databaseUrl`, as one line naming DATABASE_URL, or undefined. */
export function databaseUrlProblem(databaseUrl: string): string | undefined {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = sqlitePath(databaseUrl);
    if (file === ':memory:' || databaseUrl.slice('sqlite:'.length) === '') {
      return file === ':memory:' ? undefined : 'DATABASE_URL: sqlite: needs a file path (e.g. sqlite:./data/flowgate.db)';
    }
    const folder = dirname(file);
    if (folder !== resolve('data') && !existsSync(folder)) {
      return `DATABASE_URL: the folder ${folder} of ${databaseUrl} does not exist; create it first (only the default ./data is made for you)`;
    }
    return undefined;
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    try {
      const u = new URL(databaseUrl);
      if (!u.hostname) throw new Error('no host');
    } catch {
      return `DATABASE_URL: '${maskUrl(databaseUrl)}' is not a valid PostgreSQL URL (postgres://user:password@host:5432/database; percent-encode special characters in the password)`;
    }
    return undefined;
  }
  return `DATABASE_URL: unsupported scheme in '${maskUrl(databaseUrl)}' (use sqlite:<path> or postgres://…)`;
}
