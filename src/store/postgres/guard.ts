// The abuse guard's counters on PostgreSQL, with the SQLite store's model (60 buckets per window,
// distinct-value caps keep their events; see ../sqlite/guard.ts). A `take` or a `reserve` is one
// transaction that first takes advisory locks on its keys (locking.ts): every instance checking a
// key waits for the one counting it, so a cap is checked and counted as one step across instances.
// Locks, not SERIALIZABLE: 50 parallel sends to one number queue up and each gets its answer,
// instead of failing with serialization errors to retry (and the rows a check reads may not exist
// yet, so there is nothing to lock with FOR UPDATE). Four round trips each: BEGIN with the locks,
// one read of every rule, one write of every count, COMMIT.
import { KEEP_FAILURES, type FailureRecord, type GuardStore, type RateRule, type Reservation, type TakeResult } from '../types.ts';
import { bucketMs, countFreesAt, countKey, distinctFreesAt, GUARD_EVENT_RETENTION_MS, GUARD_FAILURE_RETENTION_MS } from '../guard-window.ts';
import { lockStatements } from './locking.ts';
import type { Db, Row, Run } from './pool.ts';


/** Per key, the earliest time any rule needs rows from (a rule filters its own window in JS). */
function earliest(pairs: Array<[string, number]>): [string[], number[]] {
  const min = new Map<string, number>();
  for (const [key, at] of pairs) min.set(key, Math.min(at, min.get(key) ?? Infinity));
  return [[...min.keys()], [...min.values()]];
}

/** Everything the rules need in one read: count buckets, and each distinct value's newest event. */
async function readRules(run: Run, rules: readonly RateRule[], now: number) {
  const counts = rules.filter((r) => !r.distinct);
  const distinct = rules.filter((r) => r.distinct);
  const [countKeys, afters] = earliest(counts.map((r) => [countKey(r), now - r.windowMs - bucketMs(r)]));
  const [eventKeys, sinces] = earliest(distinct.map((r) => [r.key, now - r.windowMs]));
  const { rows } = await run(`SELECT 'c' AS kind, c.key, c.bucket AS at, c.n, NULL AS value
      FROM guard_counts c JOIN unnest($1::text[], $2::bigint[]) AS r(key, after) ON c.key = r.key AND c.bucket > r.after
    UNION ALL
    SELECT 'd', e.key, MAX(e.at), 0, e.value
      FROM guard_events e JOIN unnest($3::text[], $4::bigint[]) AS r(key, since) ON e.key = r.key AND e.at > r.since
      GROUP BY e.key, e.value`, [countKeys, afters, eventKeys, sinces]);
  const byKey = new Map<string, Row[]>();
  for (const row of rows) byKey.set(`${row.kind as string}:${row.key as string}`, [...byKey.get(`${row.kind as string}:${row.key as string}`) ?? [], row]);
  return (kind: 'c' | 'd', key: string) => byKey.get(`${kind}:${key}`) ?? [];
}

/** When the rule frees a place (the oldest counted events leave the window), or undefined when it holds. */
function blocked(rows: (kind: 'c' | 'd', key: string) => Row[], rule: RateRule, value: string, now: number): number | undefined {
  const since = now - rule.windowMs;
  if (rule.distinct) {
    const live = rows('d', rule.key).filter((r) => (r.at as number) > since);
    if (live.some((r) => r.value === value)) return undefined;
    return distinctFreesAt(rule, live.map((r) => r.at as number).sort((a, b) => a - b));
  }
  // A bucket counts while any part of it is inside the window.
  const buckets = rows('c', countKey(rule)).filter((r) => (r.at as number) > since - bucketMs(rule))
    .map((r) => ({ bucket: r.at as number, n: r.n as number })).sort((a, b) => a.bucket - b.bucket);
  return countFreesAt(rule, buckets, now);
}

async function check(run: Run, rules: readonly RateRule[], value: string, now: number): Promise<TakeResult> {
  const rows = await readRules(run, rules, now);
  for (const rule of rules) {
    const retryAt = blocked(rows, rule, value, now);
    if (retryAt !== undefined) return { ok: false, rule: rule.name, retryAt };
  }
  return { ok: true };
}

/** Records one event under every rule, in one statement. */
async function count(run: Run, rules: readonly RateRule[], value: string, now: number): Promise<void> {
  const buckets = new Map<string, number>();
  for (const rule of rules.filter((r) => !r.distinct)) buckets.set(countKey(rule), Math.floor(now / bucketMs(rule)) * bucketMs(rule));
  await run(`WITH events AS (INSERT INTO guard_events (key, at, value) SELECT k, $5, $6 FROM unnest($1::text[]) AS k),
      counts AS (INSERT INTO guard_counts (key, bucket, n) SELECT k, b, 1 FROM unnest($2::text[], $3::bigint[]) AS x(k, b)
        ON CONFLICT (key, bucket) DO UPDATE SET n = guard_counts.n + 1)
    INSERT INTO guard_last (key, at) SELECT k, $5 FROM unnest($4::text[]) AS k ON CONFLICT (key) DO UPDATE SET at = excluded.at`, [
    rules.filter((r) => r.distinct).map((r) => r.key), [...buckets.keys()], [...buckets.values()], [...new Set(rules.map((r) => r.key))], now, value,
  ]);
}

/** The failure rows of the keys, by key. */
async function failureRows(run: Run, keys: readonly string[]): Promise<Map<string, { failures: number; last_at: number }>> {
  const { rows } = await run('SELECT key, failures, last_at FROM guard_failures WHERE key = ANY($1::text[])', [[...new Set(keys)]]);
  return new Map(rows.map((r) => [r.key as string, r as { failures: number; last_at: number }]));
}

function worstOf(keys: readonly string[], byKey: Map<string, { failures: number; last_at: number }>): FailureRecord {
  let found = { failures: 0, lastAt: 0 };
  for (const key of keys) {
    const row = byKey.get(key);
    if (row && row.failures > found.failures) found = { failures: row.failures, lastAt: row.last_at };
  }
  return found;
}

export function postgresGuard(db: Db): GuardStore & { purge(run: Run, now: number): Promise<number> } {
  return {
    async take(rules, value, now, opts) {
      if (opts?.dryRun) return check(db.run, rules, value, now);
      return db.tx(async (run) => {
        const verdict = await check(run, rules, value, now);
        if (verdict.ok) await count(run, rules, value, now);
        return verdict;
      }, lockStatements('guard-take', rules.map((r) => r.key)));
    },
    async lastAt(key) {
      return (await db.run('SELECT at FROM guard_last WHERE key = $1', [key])).rows[0]?.at as number | undefined;
    },
    async reserve(keys, now, allow) {
      return db.tx(async (run): Promise<Reservation | undefined> => {
        const byKey = await failureRows(run, keys);
        if (!allow(worstOf(keys, byKey))) return undefined;
        const unique = [...new Set(keys)];
        await run(`INSERT INTO guard_failures (key, failures, last_at) SELECT k, 1, $2 FROM unnest($1::text[]) AS k
          ON CONFLICT (key) DO UPDATE SET failures = guard_failures.failures + 1, last_at = excluded.last_at`, [unique, now]);
        return { lastAtBefore: Object.fromEntries(unique.map((k) => [k, byKey.get(k)?.last_at ?? 0])) };
      }, lockStatements('guard-fail', keys));
    },
    async refund(reservation) {
      const entries = Object.entries(reservation.lastAtBefore);
      if (entries.length === 0) return;
      await db.run(`UPDATE guard_failures AS g SET failures = g.failures - 1, last_at = r.last_at
        FROM unnest($1::text[], $2::bigint[]) AS r(key, last_at) WHERE g.key = r.key AND g.failures > 0`,
      [entries.map(([k]) => k), entries.map(([, at]) => at)]);
    },
    async failures(keys) { return worstOf(keys, await failureRows(db.run, keys)); },
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
