// Opens the store named by DATABASE_URL: sqlite:<path> (default) or, later, postgres://.
import { resolve } from 'node:path';
import { openSqliteStore } from './sqlite/index.ts';
import type { Store } from './types.ts';

export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    return openSqliteStore(path === ':memory:' ? path : resolve(path));
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL: PostgreSQL support is not built yet; use sqlite:<path>');
  }
  throw new Error(`DATABASE_URL: unsupported scheme in '${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}' (use sqlite:<path>)`);
}
