// The PostgreSQL store's settings and their defaults (DATABASE_POOL_SIZE, DATABASE_STATEMENT_TIMEOUT_MS,
// DATABASE_CONNECT_TIMEOUT_MS; read in src/runtime.ts), and the one way a DATABASE_URL is shown.

export interface PostgresOptions {
  /** Connections per instance (N instances open N × this many). @default 10 */
  poolSize: number;
  /** The server cancels a statement after this long (57014): a stuck query frees its connection. @default 5000 */
  statementTimeoutMs: number;
  /** A new connection (or a wait for a free one) gives up after this long, so an outage answers 503 quickly. @default 5000 */
  connectTimeoutMs: number;
}

export const POSTGRES_DEFAULTS: PostgresOptions = { poolSize: 10, statementTimeoutMs: 5000, connectTimeoutMs: 5000 };

/** The URL with its password replaced by `***` (every message that names a DATABASE_URL uses this). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
