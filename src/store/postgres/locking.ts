// Per-key serialization inside a transaction: transaction-scoped advisory locks on 64-bit hashes of
// the keys, taken in ascending hash order (so two transactions over overlapping keys cannot
// deadlock, even when two keys share a hash). Released by COMMIT or ROLLBACK.
import { createHash } from 'node:crypto';
import type { Run } from './pool.ts';

/** A key's lock id: the first 8 bytes of SHA-256(namespace:key), as a signed bigint. */
export const lockId = (namespace: string, key: string): bigint =>
  createHash('sha256').update(`${namespace}:${key}`).digest().readBigInt64BE(0);

export async function lockKeys(run: Run, namespace: string, keys: Iterable<string>): Promise<void> {
  const ids = [...new Set([...keys].map((k) => lockId(namespace, k)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (ids.length === 0) return;
  // unnest keeps the array's order; each lock is taken before the next row is produced.
  await run('SELECT pg_advisory_xact_lock(id) FROM unnest($1::bigint[]) AS id', [ids.map(String)]);
}
