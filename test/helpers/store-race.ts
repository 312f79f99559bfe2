// Truly parallel store calls: `race(url, op, calls)` opens separate store instances on one place
// (worker threads, each with its own connection: its own SQLite handle on the file, its own
// PostgreSQL pool), lets them all get ready, then fires every call at once, spread over the
// instances. The results come back in the calls' order. One connection in a loop proves nothing
// about atomicity across instances; this does.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../src/store/open.ts';
import type { DocKind, OtpChallenge, RateRule, Store, UserPatch } from '../../src/store/types.ts';

/** The operations a race can run: plain data in, plain data out (they cross a thread). */
const ops = {
  settle: (s: Store, id: string, matches: boolean, now: number) => s.otp.settle(id, matches, now),
  take: (s: Store, rules: RateRule[], value: string, now: number) => s.guard.take(rules, value, now),
  reserve: (s: Store, keys: string[], now: number, maxFailures: number) => s.guard.reserve(keys, now, (w) => w.failures < maxFailures),
  replaceOtp: (s: Store, challenge: OtpChallenge) => s.otp.replace(challenge),
  updateUser: (s: Store, id: string, patch: UserPatch) => s.users.update(id, patch).then(() => true),
  claim: (s: Store, owner: string, now: number, limit: number, leaseMs: number) => s.smsOutbox.claimDue(owner, now, limit, leaseMs),
  markSent: (s: Store, id: string, owner: string, now: number) => s.smsOutbox.markSent(id, owner, 'x', `p-${owner}`, now),
  acquire: (s: Store, name: string, owner: string, ttlMs: number, now: number) => s.locks.acquire(name, owner, ttlMs, now),
  secret: (s: Store, name: string, value: string) => s.secrets.getOrCreate(name, async () => value),
  writeSecret: (s: Store, name: string, value: string, expectRev: number | null) => s.secrets.write(name, value, expectRev),
  putFlow: (s: Store, uid: string, state: unknown, expiresAt: number, expectRev: number | null) => s.flowState.put(uid, state, expiresAt, expectRev),
  createUser: (s: Store, phone: string) => s.users.create({ phone }).then((u) => u.id, () => null),
  saveDoc: (s: Store, kind: DocKind, id: string, body: unknown, expectRev: number | null, now: number) =>
    s.config.save(kind, id, { body, source: 'admin', actor: 'racer' }, expectRev, null, now).then((w) => w.ok),
};

type Ops = typeof ops;
type Op = keyof Ops;
type Args<K extends Op> = Parameters<Ops[K]> extends [Store, ...infer A] ? A : never;
type Result<K extends Op> = Awaited<ReturnType<Ops[K]>>;

interface Job { url: string; op: Op; calls: Array<[number, unknown[]]> }
type Reply = { ready: true } | { results: Array<[number, unknown]> } | { error: string };

const SELF = import.meta.url;
// The worker registers tsx itself (workers do not inherit the loader), then loads this module.
const BOOT = `const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(SELF)});`;

/** Fires every call at once from `instances` separate store instances on the place at `url`. */
export async function race<K extends Op>(url: string, op: K, calls: Array<Args<K>>, instances = 4): Promise<Array<Result<K>>> {
  const shares: Array<Array<[number, unknown[]]>> = Array.from({ length: Math.min(instances, calls.length) }, () => []);
  calls.forEach((args, i) => shares[i % shares.length]!.push([i, args as unknown[]]));
  const workers = shares.map((share) => new Worker(BOOT, { eval: true, workerData: { storeRace: { url, op, calls: share } satisfies Job } }));
  try {
    const replies = workers.map((w) => {
      const next = () => new Promise<Reply>((resolve, reject) => {
        const onMessage = (m: Reply) => { w.off('error', reject); w.off('exit', onExit); resolve(m); };
        const onExit = (code: number) => { w.off('message', onMessage); reject(new Error(`race worker exited (${code})`)); };
        w.once('message', onMessage);
        w.once('error', reject);
        w.once('exit', onExit);
      });
      return next;
    });
    const check = (m: Reply) => { if ('error' in m) throw new Error(`race worker: ${m.error}`); return m; };
    await Promise.all(replies.map(async (next) => check(await next())));
    const done = replies.map((next) => next());
    for (const w of workers) w.postMessage('go');
    const out: unknown[] = new Array(calls.length);
    for (const m of await Promise.all(done)) {
      const r = check(m);
      if ('results' in r) for (const [i, value] of r.results) out[i] = value;
    }
    return out as Array<Result<K>>;
  } finally {
    // A worker answers after closing its store, so stopping it cuts nothing.
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function serve(job: Job): Promise<void> {
  const port = parentPort!;
  let store: Store | undefined;
  let reply: Reply;
  try {
    store = await openStore(job.url);
    // A first trivial call, so each instance has its connection before the start signal.
    await store.ping();
    const go = new Promise((resolve) => port.once('message', resolve));
    port.postMessage({ ready: true } satisfies Reply);
    await go;
    const fn = ops[job.op] as (s: Store, ...args: unknown[]) => Promise<unknown>;
    reply = { results: await Promise.all(job.calls.map(async ([i, args]) => [i, await fn(store!, ...args)] as [number, unknown])) };
  } catch (err) {
    reply = { error: err instanceof Error ? err.stack ?? err.message : String(err) };
  }
  await store?.close().catch(() => {});
  port.postMessage(reply);
}

if (!isMainThread && (workerData as { storeRace?: Job } | null)?.storeRace) void serve((workerData as { storeRace: Job }).storeRace);
