// The abuse guard's counters on SQLite (the windows' arithmetic: ../guard-window.ts). `take` runs in an IMMEDIATE
// transaction, so a cap is checked and counted as one step even when processes share the file.
import type Database from 'better-sqlite3';
import { bucketMs, countFreesAt, countKey, distinctFreesAt, GUARD_EVENT_RETENTION_MS, GUARD_FAILURE_RETENTION_MS } from '../guard-window.ts';
import { KEEP_FAILURES, type FailureRecord, type GuardStore, type RateRule, type Reservation, type TakeResult } from '../types.ts';

export function sqliteGuard(db: Database.Database): GuardStore & { purge(now: number): number } {
  const q = {
    buckets: db.prepare('SELECT bucket, n FROM guard_counts WHERE key = ? AND bucket > ? ORDER BY bucket'),
    bump: db.prepare(`INSERT INTO guard_counts (key, bucket, n) VALUES (?, ?, 1)
      ON CONFLICT (key, bucket) DO UPDATE SET n = n + 1`),
    seen: db.prepare('SELECT 1 FROM guard_events WHERE key = ? AND at > ? AND value = ? LIMIT 1'),
    distinct: db.prepare(`SELECT MAX(at) AS at FROM guard_events WHERE key = ? AND at > ?
      GROUP BY value ORDER BY 1`),
    insert: db.prepare('INSERT INTO guard_events (key, at, value) VALUES (?, ?, ?)'),
    touch: db.prepare('INSERT INTO guard_last (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at'),
    last: db.prepare('SELECT at FROM guard_last WHERE key = ?'),
    fail: db.prepare(`INSERT INTO guard_failures (key, failures, last_at) VALUES (?, 1, ?)
      ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at`),
    refund: db.prepare('UPDATE guard_failures SET failures = failures - 1, last_at = ? WHERE key = ? AND failures > 0'),
    failures: db.prepare('SELECT failures, last_at FROM guard_failures WHERE key = ?'),
    clear: db.prepare('DELETE FROM guard_failures WHERE key = ?'),
    forgetCounts: db.prepare("DELETE FROM guard_counts WHERE key >= ? AND key < ?"),
    forgetLast: db.prepare('DELETE FROM guard_last WHERE key = ?'),
    purgeEvents: db.prepare('DELETE FROM guard_events WHERE at <= ?'),
    purgeCounts: db.prepare('DELETE FROM guard_counts WHERE bucket <= ?'),
    purgeLast: db.prepare('DELETE FROM guard_last WHERE at <= ?'),
    purgeFailures: db.prepare('DELETE FROM guard_failures WHERE last_at <= ? AND failures < ?'),
  };

  /** When the rule frees a place (the oldest counted events leave the window), or undefined when it holds. */
  function blocked(rule: RateRule, value: string, now: number): number | undefined {
    const since = now - rule.windowMs;
    if (rule.distinct) {
      if (q.seen.get(rule.key, since, value)) return undefined;
      return distinctFreesAt(rule, (q.distinct.all(rule.key, since) as Array<{ at: number }>).map((r) => r.at));
    }
    // A bucket counts while any part of it is inside the window.
    return countFreesAt(rule, q.buckets.all(countKey(rule), since - bucketMs(rule)) as Array<{ bucket: number; n: number }>, now);
  }

  const take = db.transaction((rules: readonly RateRule[], value: string, now: number, dryRun: boolean): TakeResult => {
    for (const rule of rules) {
      const retryAt = blocked(rule, value, now);
      if (retryAt !== undefined) return { ok: false, rule: rule.name, retryAt };
    }
    if (dryRun) return { ok: true };
    const counted = new Set<string>();
    for (const rule of rules) {
      if (rule.distinct) {
        q.insert.run(rule.key, now, value);
      } else if (!counted.has(countKey(rule))) {
        counted.add(countKey(rule));
        const width = bucketMs(rule);
        q.bump.run(countKey(rule), Math.floor(now / width) * width);
      }
    }
    for (const key of new Set(rules.map((r) => r.key))) q.touch.run(key, now);
    return { ok: true };
  });

  function worst(keys: readonly string[]) {
    let found = { failures: 0, lastAt: 0 };
    for (const key of keys) {
      const row = q.failures.get(key) as { failures: number; last_at: number } | undefined;
      if (row && row.failures > found.failures) found = { failures: row.failures, lastAt: row.last_at };
    }
    return found;
  }

  const reserve = db.transaction((keys: readonly string[], now: number, allow: (w: FailureRecord) => boolean): Reservation | undefined => {
    if (!allow(worst(keys))) return undefined;
    const lastAtBefore: Record<string, number> = {};
    for (const key of new Set(keys)) {
      lastAtBefore[key] = (q.failures.get(key) as { last_at: number } | undefined)?.last_at ?? 0;
      q.fail.run(key, now);
    }
    return { lastAtBefore };
  });

  // Several keys, one commit (each statement on its own would be a write transaction of its own).
  const refund = db.transaction((reservation: Reservation) => {
    for (const [key, lastAt] of Object.entries(reservation.lastAtBefore)) q.refund.run(lastAt, key);
  });
  const forget = db.transaction((keys: readonly string[]) => {
    let n = 0;
    // Count keys are `<key>@<bucket width>`: the range ['<key>@', '<key>A') holds exactly those.
    for (const key of new Set(keys)) n += q.forgetCounts.run(`${key}@`, `${key}A`).changes + q.forgetLast.run(key).changes;
    return n;
  });
  const clear = db.transaction((keys: readonly string[]) => {
    let n = 0;
    for (const key of new Set(keys)) n += q.clear.run(key).changes;
    return n;
  });

  return {
    async take(rules, value, now, opts) { return opts?.dryRun ? take(rules, value, now, true) : take.immediate(rules, value, now, false); },
    async lastAt(key) { return (q.last.get(key) as { at: number } | undefined)?.at; },
    async reserve(keys, now, allow) { return reserve.immediate(keys, now, allow); },
    async refund(reservation) { refund(reservation); },
    async failures(keys) { return worst(keys); },
    async forget(keys) { return forget(keys); },
    async clear(keys) { return clear(keys); },
    purge(now) {
      const before = now - GUARD_EVENT_RETENTION_MS;
      return q.purgeEvents.run(before).changes + q.purgeCounts.run(before).changes + q.purgeLast.run(before).changes
        + q.purgeFailures.run(now - GUARD_FAILURE_RETENTION_MS, KEEP_FAILURES).changes;
    },
  };
}
