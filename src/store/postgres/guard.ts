// The abuse guard's counters on PostgreSQL, with the SQLite store's model (60 buckets per window,
// distinct-value caps keep their events; see ../sqlite/guard.ts). A `take` or a `reserve` runs in one
// transaction holding advisory locks on its keys (locking.ts): every instance checking a key waits
// for the one counting it, so a cap is checked and counted as one step across instances. Locks, not
// SERIALIZABLE: 50 parallel sends to one number queue up and each gets its answer, instead of
// failing with serialization errors to retry (and the rows a check reads may not exist yet to lock).
import { KEEP_FAILURES, type FailureRecord, type GuardStore, type RateRule, type Reservation, type TakeResult } from '../types.ts';
import { bucketMs, GUARD_EVENT_RETENTION_MS, GUARD_FAILURE_RETENTION_MS } from '../sqlite/guard.ts';
import { lockKeys } from './locking.ts';
import type { Db, Run } from './pool.ts';

const countKey = (rule: RateRule) => `${rule.key}@${bucketMs(rule)}`;

/** When the rule frees a place (the oldest counted events leave the window), or undefined when it holds. */
async function blocked(run: Run, rule: RateRule, value: string, now: number): Promise<number | undefined> {
  const since = now - rule.windowMs;
  if (rule.distinct) {
    if ((await run('SELECT 1 FROM guard_events WHERE key = $1 AND at > $2 AND value = $3 LIMIT 1', [rule.key, since, value])).rowCount) return undefined;
    const lasts = (await run('SELECT MAX(at) AS at FROM guard_events WHERE key = $1 AND at > $2 GROUP BY value ORDER BY 1', [rule.key, since]))
      .rows.map((r) => r.at as number);
    if (lasts.length < rule.limit) return undefined;
    return lasts[lasts.length - rule.limit]! + rule.windowMs;
  }
  const width = bucketMs(rule);
  // A bucket counts while any part of it is inside the window.
  const rows = (await run('SELECT bucket, n FROM guard_counts WHERE key = $1 AND bucket > $2 ORDER BY bucket', [countKey(rule), since - width]))
    .rows as Array<{ bucket: number; n: number }>;
  let total = rows.reduce((sum, r) => sum + r.n, 0);
  if (total < rule.limit) return undefined;
  for (const r of rows) {
    total -= r.n;
    if (total < rule.limit) return r.bucket + width + rule.windowMs;
  }
  return now + rule.windowMs;
}

async function worst(run: Run, keys: readonly string[]): Promise<FailureRecord> {
  const rows = (await run('SELECT key, failures, last_at FROM guard_failures WHERE key = ANY($1::text[])', [[...new Set(keys)]])).rows;
  const byKey = new Map(rows.map((r) => [r.key as string, r as { failures: number; last_at: number }]));
  let found = { failures: 0, lastAt: 0 };
  for (const key of keys) {
    const row = byKey.get(key);
    if (row && row.failures > found.failures) found = { failures: row.failures, lastAt: row.last_at };
  }
  return found;
}

export function postgresGuard(db: Db): GuardStore & { purge(run: Run, now: number): Promise<number> } {
  async function take(run: Run, rules: readonly RateRule[], value: string, now: number, dryRun: boolean): Promise<TakeResult> {
    for (const rule of rules) {
      const retryAt = await blocked(run, rule, value, now);
      if (retryAt !== undefined) return { ok: false, rule: rule.name, retryAt };
    }
    if (dryRun) return { ok: true };
    const counted = new Set<string>();
    for (const rule of rules) {
      if (rule.distinct) {
        await run('INSERT INTO guard_events (key, at, value) VALUES ($1, $2, $3)', [rule.key, now, value]);
      } else if (!counted.has(countKey(rule))) {
        counted.add(countKey(rule));
        const width = bucketMs(rule);
        await run(`INSERT INTO guard_counts (key, bucket, n) VALUES ($1, $2, 1)
          ON CONFLICT (key, bucket) DO UPDATE SET n = guard_counts.n + 1`, [countKey(rule), Math.floor(now / width) * width]);
      }
    }
    await run(`INSERT INTO guard_last (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k
      ON CONFLICT (key) DO UPDATE SET at = excluded.at`, [[...new Set(rules.map((r) => r.key))], now]);
    return { ok: true };
  }

  return {
    async take(rules, value, now, opts) {
      if (opts?.dryRun) return take(db.run, rules, value, now, true);
      return db.tx(async (run) => {
        await lockKeys(run, 'guard-take', rules.map((r) => r.key));
        return take(run, rules, value, now, false);
      });
    },
    async lastAt(key) {
      return (await db.run('SELECT at FROM guard_last WHERE key = $1', [key])).rows[0]?.at as number | undefined;
    },
    async reserve(keys, now, allow) {
      return db.tx(async (run): Promise<Reservation | undefined> => {
        await lockKeys(run, 'guard-fail', keys);
        if (!allow(await worst(run, keys))) return undefined;
        const unique = [...new Set(keys)];
        const before = (await run('SELECT key, last_at FROM guard_failures WHERE key = ANY($1::text[])', [unique])).rows;
        const lastAtBefore: Record<string, number> = Object.fromEntries(unique.map((k) => [k, 0]));
        for (const r of before) lastAtBefore[r.key as string] = r.last_at as number;
        await run(`INSERT INTO guard_failures (key, failures, last_at) SELECT k, 1, $2 FROM unnest($1::text[]) AS k
          ON CONFLICT (key) DO UPDATE SET failures = guard_failures.failures + 1, last_at = excluded.last_at`, [unique, now]);
        return { lastAtBefore };
      });
    },
    async refund(reservation) {
      const entries = Object.entries(reservation.lastAtBefore);
      if (entries.length === 0) return;
      await db.run(`UPDATE guard_failures AS g SET failures = g.failures - 1, last_at = r.last_at
        FROM unnest($1::text[], $2::bigint[]) AS r(key, last_at) WHERE g.key = r.key AND g.failures > 0`,
      [entries.map(([k]) => k), entries.map(([, at]) => at)]);
    },
    async failures(keys) { return worst(db.run, keys); },
    async forget(keys) {
      let n = 0;
      // Count keys are `<key>@<bucket width>`: the range ['<key>@', '<key>A') holds exactly those (byte order: COLLATE "C").
      for (const key of new Set(keys)) {
        n += (await db.run('DELETE FROM guard_counts WHERE key >= $1 AND key < $2', [`${key}@`, `${key}A`])).rowCount ?? 0;
        n += (await db.run('DELETE FROM guard_last WHERE key = $1', [key])).rowCount ?? 0;
      }
      return n;
    },
    async clear(keys) {
      return (await db.run('DELETE FROM guard_failures WHERE key = ANY($1::text[])', [[...new Set(keys)]])).rowCount ?? 0;
    },
    async purge(run, now) {
      const before = now - GUARD_EVENT_RETENTION_MS;
      let n = 0;
      for (const [sql, params] of [
        ['DELETE FROM guard_events WHERE at <= $1', [before]],
        ['DELETE FROM guard_counts WHERE bucket <= $1', [before]],
        ['DELETE FROM guard_last WHERE at <= $1', [before]],
        ['DELETE FROM guard_failures WHERE last_at <= $1 AND failures < $2', [now - GUARD_FAILURE_RETENTION_MS, KEEP_FAILURES]],
      ] as const) n += (await run(sql, params)).rowCount ?? 0;
      return n;
    },
  };
}
