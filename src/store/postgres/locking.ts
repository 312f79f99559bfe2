// Per-key serialization inside a transaction: transaction-scoped advisory locks on 64-bit hashes of
// the keys, taken in ascending hash order (so two transactions over overlapping keys cannot
// deadlock, even when two keys share a hash), at the start of the transaction. Released by COMMIT or ROLLBACK.
import { createHash } from 'node:crypto';

/** A key's lock id: the first 8 bytes of SHA-256(namespace:key), as a signed bigint. */
export const lockId = (namespace: string, key: string): bigint =>
  createHash('sha256').update(`${namespace}:${key}`).digest().readBigInt64BE(0);

/**
 * The statements that take the keys' locks, one after the other in ascending id order, for
 * `db.tx(fn, lockStatements(…))`: sent with BEGIN, in its round trip. The ids are numbers we made
 * (never input), so they are written into the text.
 */
export function lockStatements(namespace: string, keys: Iterable<string>): string {
  const ids = [...new Set([...keys].map((k) => lockId(namespace, k)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ids.map((id) => `SELECT pg_advisory_xact_lock('${id.toString()}'::bigint);`).join(' ');
}
