// The abuse guard's counters on SQLite: sliding-window events and consecutive-failure records.
// `take` runs in an IMMEDIATE transaction, so a cap is checked and counted as one step even when
// several processes share the file.
import type Database from 'better-sqlite3';
import { KEEP_FAILURES, type GuardStore, type RateRule, type TakeResult } from '../types.ts';

/** Longer than the longest window a rule may have (a day). */
export const GUARD_EVENT_RETENTION_MS = 25 * 60 * 60 * 1000;
/** Failure records nobody has added to for this long are forgotten, unless they reached KEEP_FAILURES. */
export const GUARD_FAILURE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export function sqliteGuard(db: Database.Database): GuardStore & { purge(now: number): number } {
  const q = {
    count: db.prepare('SELECT COUNT(*) AS n FROM guard_events WHERE key = ? AND at > ?'),
    nth: db.prepare('SELECT at FROM guard_events WHERE key = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?'),
    seen: db.prepare('SELECT 1 FROM guard_events WHERE key = ? AND at > ? AND value = ? LIMIT 1'),
    distinct: db.prepare('SELECT COUNT(DISTINCT value) AS n FROM guard_events WHERE key = ? AND at > ?'),
    nthDistinct: db.prepare(`SELECT MAX(at) AS at FROM guard_events WHERE key = ? AND at > ?
      GROUP BY value ORDER BY 1 LIMIT 1 OFFSET ?`),
    insert: db.prepare('INSERT INTO guard_events (key, at, value) VALUES (?, ?, ?)'),
    last: db.prepare('SELECT MAX(at) AS at FROM guard_events WHERE key = ?'),
    fail: db.prepare(`INSERT INTO guard_failures (key, failures, last_at) VALUES (?, 1, ?)
      ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_at = excluded.last_at`),
    failures: db.prepare('SELECT failures, last_at FROM guard_failures WHERE key = ?'),
    clear: db.prepare('DELETE FROM guard_failures WHERE key = ?'),
    purgeEvents: db.prepare('DELETE FROM guard_events WHERE at <= ?'),
    purgeFailures: db.prepare('DELETE FROM guard_failures WHERE last_at <= ? AND failures < ?'),
  };

  /** When the rule frees a place: the event that must leave the window, plus the window. */
  function blocked(rule: RateRule, value: string, now: number): number | undefined {
    const since = now - rule.windowMs;
    if (rule.distinct) {
      if (q.seen.get(rule.key, since, value)) return undefined;
      const { n } = q.distinct.get(rule.key, since) as { n: number };
      if (n < rule.limit) return undefined;
      return (q.nthDistinct.get(rule.key, since, n - rule.limit) as { at: number }).at + rule.windowMs;
    }
    const { n } = q.count.get(rule.key, since) as { n: number };
    if (n < rule.limit) return undefined;
    return (q.nth.get(rule.key, since, n - rule.limit) as { at: number }).at + rule.windowMs;
  }

  const take = db.transaction((rules: readonly RateRule[], value: string, now: number): TakeResult => {
    for (const rule of rules) {
      const retryAt = blocked(rule, value, now);
      if (retryAt !== undefined) return { ok: false, rule: rule.name, retryAt };
    }
    for (const key of new Set(rules.map((r) => r.key))) q.insert.run(key, now, value);
    return { ok: true };
  });

  const fail = db.transaction((keys: readonly string[], now: number) => {
    for (const key of new Set(keys)) q.fail.run(key, now);
  });

  return {
    async take(rules, value, now) { return take.immediate(rules, value, now); },
    async lastAt(key) { return (q.last.get(key) as { at: number | null }).at ?? undefined; },
    async fail(keys, now) { fail(keys, now); },
    async failures(keys) {
      let worst = { failures: 0, lastAt: 0 };
      for (const key of keys) {
        const row = q.failures.get(key) as { failures: number; last_at: number } | undefined;
        if (row && row.failures > worst.failures) worst = { failures: row.failures, lastAt: row.last_at };
      }
      return worst;
    },
    async clear(keys) {
      let n = 0;
      for (const key of new Set(keys)) n += q.clear.run(key).changes;
      return n;
    },
    purge(now) {
      return q.purgeEvents.run(now - GUARD_EVENT_RETENTION_MS).changes
        + q.purgeFailures.run(now - GUARD_FAILURE_RETENTION_MS, KEEP_FAILURES).changes;
    },
  };
}
