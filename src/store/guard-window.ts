// The abuse guard's sliding windows, the same arithmetic for both stores. A cap is counted in 60
// buckets of its window (a check reads at most 60 rows however busy the key is; it errs strict by
// at most one bucket); a distinct-value cap (numbers per prefix) keeps its events.
import type { RateRule } from './types.ts';

/** Longer than the longest window a rule may have (a day). */
export const GUARD_EVENT_RETENTION_MS = 25 * 60 * 60 * 1000;
/** Failure records nobody has added to for this long are forgotten, unless they reached KEEP_FAILURES. */
export const GUARD_FAILURE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** A rule's bucket width: a sixtieth of its window, at least a second. */
export const bucketMs = (rule: RateRule) => Math.max(1000, Math.floor(rule.windowMs / 60));

/** Where a rule's bucket counts are kept: the key and the bucket width (rules of one key may differ in window). */
export const countKey = (rule: RateRule) => `${rule.key}@${bucketMs(rule)}`;

/** A distinct cap over the last event time of each value in the window (ascending): when a place frees, or undefined when it holds. */
export function distinctFreesAt(rule: RateRule, lasts: readonly number[]): number | undefined {
  if (lasts.length < rule.limit) return undefined;
  return lasts[lasts.length - rule.limit]! + rule.windowMs;
}

/** A count cap over its buckets still inside the window (ascending): when a place frees, or undefined when it holds. */
export function countFreesAt(rule: RateRule, buckets: ReadonlyArray<{ bucket: number; n: number }>, now: number): number | undefined {
  const width = bucketMs(rule);
  let total = buckets.reduce((sum, r) => sum + r.n, 0);
  if (total < rule.limit) return undefined;
  for (const r of buckets) {
    total -= r.n;
    if (total < rule.limit) return r.bucket + width + rule.windowMs;
  }
  return now + rule.windowMs;
}
