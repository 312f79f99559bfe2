// The SMS queue: messages are stored first (a restart loses none), then sent off the request path by
// one worker per instance. The worker leases what is due (its owner id, random per process start),
// makes one connector attempt per lease, renews the lease while the attempt runs (a lost lease aborts
// the provider call, and nothing is settled), and stores a retry with its chain position and time
// instead of sleeping: whichever instance claims it next continues. An instance that dies holds its
// messages until their lease expires; then another one sends them. Messages past their code's
// expiry are dropped, not sent. Bodies are cleared once a message is settled. A body carries the
// code, so it is stored sealed (AES-256-GCM under a key kept in the store): no code is ever written
// to the database, its WAL or a backup in clear.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../errors.ts';
import { isSealed, seal, unseal } from '../../store/seal.ts';
import type { QueuedSms, Store } from '../../store/types.ts';
import { checkDestination } from '../phone-policy.ts';
import { SmsError, type SmsMessage } from '../types.ts';
import type { Attempt, Attempted } from './dispatch.ts';
import { noRecorder, type Recorder } from '../../metrics/recorder.ts';

export interface Enqueue extends SmsMessage { interactionUid?: string; expiresAt: number }

export interface SmsQueue {
  /** Stores the message for sending; refuses numbers that may not receive SMS (no provider call). */
  enqueue(msg: Enqueue): Promise<string>;
  /** The newest message queued for an interaction (its delivery status). */
  latestFor(interactionUid: string): Promise<QueuedSms | undefined>;
  /**
   * Resolves when this worker has tried everything due now, and its retries due within a few
   * seconds (tests, shutdown). Messages other instances hold are theirs to settle.
   */
  drain(): Promise<void>;
  /**
   * Stops claiming, waits (bounded: `waitMs`, default the queue's `stopWaitMs`) for the attempts under
   * way, then gives this worker's leases back for another instance.
   */
  stop(waitMs?: number): Promise<void>;
  /** The worker's loop, for readiness: see SmsWorkerState. */
  state(): SmsWorkerState;
}

/**
 * `running`: its loop turns (a look at the queue finishes, even a failed one); `stalled`: one look has
 * not finished for STALL_MS (a store call hangs); `stopped`: stop() was called.
 */
export type SmsWorkerState = 'running' | 'stalled' | 'stopped';

export interface SmsQueueOptions {
  /** Messages in flight at once, so a slow provider cannot open hundreds of connections. */
  concurrency?: number;
  /** How long a claim holds a message (config `sms.delivery.leaseMs`); renewed every third of it. */
  leaseMs?: number;
  /** How long stop() waits for the attempts under way before it aborts them. */
  stopWaitMs?: number;
  /** Messages queued, sent and given up (metrics). */
  record?: Pick<Recorder, 'smsQueued' | 'smsSent' | 'smsFailed'>;
}

const POLL_MS = 1_000;
const BATCH = 16;
/** drain() waits for this worker's retries due within this long (by the queue's clock). */
const DRAIN_HORIZON_MS = 10_000;
/** A look at the queue that has not finished after this long counts as a stalled loop (real time, not the queue's clock). */
const STALL_MS = 30_000;

/** AES-256-GCM (src/store/seal.ts): `sealed:v1:` + base64url(iv ‖ tag ‖ ciphertext). */
export const sealBody = (key: Buffer, body: string): string => seal(key, body);

/** The body sealBody sealed; a row stored before bodies were sealed is returned as it is. Throws if tampered with. */
export const openBody = (key: Buffer, stored: string): string => (isSealed(stored) ? unseal(key, stored) : stored);

export function createSmsQueue(store: Store, attempt: Attempt, log: Logger, allowedCountries: readonly string[], now = Date.now, opts: SmsQueueOptions = {}): SmsQueue {
  const concurrency = opts.concurrency ?? 64;
  const leaseMs = opts.leaseMs ?? 30_000;
  const stopWaitMs = opts.stopWaitMs ?? 10_000;
  const record = opts.record ?? noRecorder;
  /** This worker's id in the store's leases: one per process start. */
  const owner = randomUUID();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const inflight = new Set<Promise<void>>();
  /** The messages this worker is sending: their abort and when their lease ends (by the last renewal). */
  const held = new Map<string, { abort: AbortController; until: number }>();
  /** Retries this worker stored, by message id: when they are due (drain waits for the near ones). */
  const retries = new Map<string, number>();
  const wakeups = new Set<NodeJS.Timeout>();
  let lastClaimAt = -Infinity;
  /** The last claim filled every place it had (or had none): more may be due than were claimed. */
  let backlog = false;
  /** Enqueues under way that took one of this worker's places (their message is being stored, leased). */
  let taking = 0;
  // One key for every instance on this store (the first writer's), so another instance can open what was queued.
  // Only the store's answer is kept: a failed read is asked again next time.
  let sealKey: Promise<Buffer> | undefined;
  const keyOf = () => (sealKey ??= store.secrets.getOrCreate('sms-queue-key', async () => randomBytes(32).toString('base64url'))
    .then((b64) => Buffer.from(b64, 'base64url'), (err: unknown) => { sealKey = undefined; throw err; }));

  async function settle(m: QueuedSms, msg: SmsMessage, result: Attempted): Promise<void> {
    const at = now();
    switch (result.kind) {
      case 'sent':
        if (await store.smsOutbox.markSent(m.id, owner, result.connector, result.providerMessageId, at)) {
          log.info({ id: m.id, connector: result.connector, usage: msg.usage, providerMessageId: result.providerMessageId }, 'sms sent');
          record.smsSent(result.connector, msg.usage, msg.to);
        } else {
          log.warn({ id: m.id, connector: result.connector }, 'sms sent, but its lease had passed to another instance');
        }
        return;
      case 'retry': {
        const due = at + result.delayMs;
        if (await store.smsOutbox.retryAt(m.id, owner, due, result.step, result.error.code, at)) {
          retries.set(m.id, due);
          wakeAt(result.delayMs);
        }
        return;
      }
      case 'failed':
        if (await store.smsOutbox.markFailed(m.id, owner, result.error.code, at)) {
          log.error({ id: m.id, error: result.error.code, usage: msg.usage }, 'sms not delivered: every connector failed');
          record.smsFailed(msg.usage, msg.to, result.error.code);
        }
        return;
      case 'aborted':
        log.warn({ id: m.id, usage: msg.usage, stopping: stopped }, stopped
          ? 'sms attempt aborted: the queue is stopping (its lease is given back for another instance)'
          : 'sms attempt aborted: its lease was lost (another instance sends it)');
    }
  }

  async function deliver(m: QueuedSms, msg: SmsMessage): Promise<void> {
    if (now() >= m.expiresAt) {
      if (await store.smsOutbox.markFailed(m.id, owner, 'expired', now())) record.smsFailed(msg.usage, msg.to, 'expired');
      log.warn({ id: m.id, usage: msg.usage }, 'sms dropped: its code expired before it could be sent');
      return;
    }
    const lease = { abort: new AbortController(), until: now() + leaseMs };
    held.set(m.id, lease);
    try {
      const result = await attempt(msg, { step: m.step, signal: lease.abort.signal, log: log.child({ sms: m.id }) });
      await settle(m, msg, lease.abort.signal.aborted ? { kind: 'aborted' } : result);
    } finally {
      held.delete(m.id);
    }
  }

  /** Keeps the leases of the messages being sent; aborts the attempts whose lease is lost (or cannot be renewed in time). */
  async function renew(): Promise<void> {
    if (held.size === 0) return;
    const ids = [...held.keys()];
    const at = now();
    let kept: Set<string>;
    try {
      kept = new Set(await store.smsOutbox.renew(owner, ids, at, leaseMs));
    } catch (err) {
      log.error({ err }, 'sms lease renewal failed');
      // Not renewed: an attempt whose lease ends before the next renewal is given up now.
      kept = new Set(ids.filter((id) => (held.get(id)?.until ?? 0) - at > leaseMs / 3));
    }
    for (const id of ids) {
      const lease = held.get(id);
      if (!lease) continue;
      if (kept.has(id)) lease.until = Math.max(lease.until, at + leaseMs);
      else lease.abort.abort();
    }
  }

  /** Sends a message this worker holds the lease of, in one of its places. */
  function start(m: QueuedSms, msg: SmsMessage): void {
    const task = deliver(m, msg)
      .catch((err: unknown) => log.error({ err, id: m.id }, 'sms queue error'))
      // A place came free: claim again only if the last claim may have left due messages behind
      // (it filled every place); otherwise the next enqueue, a retry's wake-up or the poll claims.
      .finally(() => { inflight.delete(task); if (!stopped && backlog) kick(); });
    inflight.add(task);
  }

  async function pump(): Promise<void> {
    do {
      again = false;
      const room = Math.min(BATCH, concurrency - inflight.size);
      if (room <= 0) { backlog = true; break; }
      const claimAt = now();
      const due = await store.smsOutbox.claimDue(owner, claimAt, room, leaseMs);
      lastClaimAt = claimAt;
      const key = due.length ? await keyOf() : undefined;
      for (const m of due) {
        retries.delete(m.id);
        if (held.has(m.id)) continue; // still being sent here (its old lease ran out): that attempt settles it
        let body: string;
        try {
          body = openBody(key!, m.body ?? '');
        } catch {
          if (await store.smsOutbox.markFailed(m.id, owner, 'invalid_config', now())) record.smsFailed(m.usage, m.to, 'invalid_config');
          log.error({ id: m.id }, 'sms not delivered: its stored body could not be opened (another sms-queue-key?)');
          continue;
        }
        start(m, { to: m.to, body, usage: m.usage as SmsMessage['usage'], ...(m.locale ? { locale: m.locale } : {}) });
      }
      backlog = due.length === room;
      if (backlog) again = true;
    } while (again && !stopped);
  }

  let storeDown = false;
  /** When the look under way began (performance.now(): a test's frozen clock must not make it look stalled). */
  let runningSince = 0;
  function kick(): void {
    if (stopped) return;
    if (running) { again = true; return; }
    runningSince = performance.now();
    running = pump().then(() => {
      if (storeDown) { storeDown = false; log.info('sms queue: the store answers again'); }
    }, (err: unknown) => {
      // An outage is one line when it starts and one when it ends, not a stack trace every second.
      if (err instanceof AppError && err.code === 'store_unavailable') {
        if (!storeDown) log.warn('sms queue: the store cannot be reached; messages wait in it and are sent when it answers again');
        storeDown = true;
      } else log.error({ err }, 'sms queue error');
    }).finally(() => { running = null; });
  }

  /** A retry is due: look again then (the poll would find it too, a little later). */
  function wakeAt(delayMs: number): void {
    if (stopped) return;
    const timer = setTimeout(() => { wakeups.delete(timer); kick(); }, delayMs);
    timer.unref();
    wakeups.add(timer);
  }

  /** Until nothing is in flight and a claim finds nothing due. */
  async function settleDue(): Promise<void> {
    kick();
    while (running || inflight.size) {
      await running;
      await Promise.all([...inflight]);
    }
  }

  // No start-up re-queue: what a dead instance left `sending` is claimed once its lease expires.
  const poll = setInterval(kick, POLL_MS);
  poll.unref();
  const renewal = setInterval(() => { void renew(); }, Math.max(1, Math.floor(leaseMs / 3)));
  renewal.unref();
  kick();

  return {
    async enqueue(msg) {
      const refused = checkDestination(msg.to, allowedCountries);
      if (refused) {
        record.smsFailed(msg.usage, msg.to, refused);
        throw new SmsError('invalid_recipient', `destination refused: ${refused}`);
      }
      const row = {
        id: randomUUID(), interactionUid: msg.interactionUid ?? null, to: msg.to, body: sealBody(await keyOf(), msg.body), usage: msg.usage,
        locale: msg.locale ?? null, createdAt: now(), expiresAt: msg.expiresAt,
      };
      // A free place and nothing left waiting: this worker leases the message as it stores it (one
      // write instead of a write and a claim) and sends it at once, as a claim right after would.
      // It is in the store either way: if this instance dies, another one sends it when the lease ends.
      const take = !stopped && !backlog && inflight.size + taking < concurrency;
      if (take) taking += 1;
      try {
        await store.smsOutbox.enqueue(row, take ? { owner, until: row.createdAt + leaseMs } : undefined);
      } finally {
        if (take) taking -= 1;
      }
      record.smsQueued(msg.usage, msg.to);
      // Stopped meanwhile: left leased, it is given back by stop() or claimed elsewhere when the lease ends.
      if (take && !stopped) {
        start({ ...row, status: 'sending', attempts: 1, step: 0, leaseOwner: owner, connector: null, providerMessageId: null, error: null },
          { to: msg.to, body: msg.body, usage: msg.usage, ...(msg.locale ? { locale: msg.locale } : {}) });
      } else if (!take) kick();
      return row.id;
    },
    latestFor: (uid) => store.smsOutbox.latestFor(uid),
    async drain() {
      for (;;) {
        await settleDue();
        // Due at the last claim but not claimed here: another instance has it.
        for (const [id, at] of retries) if (at <= lastClaimAt) retries.delete(id);
        const next = Math.min(...[...retries.values()].filter((at) => at - now() <= DRAIN_HORIZON_MS));
        if (stopped || !Number.isFinite(next)) return;
        await new Promise((r) => setTimeout(r, Math.max(0, next - now()) + 5));
        if (now() < next) return; // the queue's clock stands still (a test's): by it, the retry is not due
      }
    },
    state() {
      if (stopped) return 'stopped';
      return running && performance.now() - runningSince > STALL_MS ? 'stalled' : 'running';
    },
    async stop(waitMs = stopWaitMs) {
      stopped = true;
      clearInterval(poll);
      for (const timer of wakeups) clearTimeout(timer);
      await running;
      const underWay = Promise.all([...inflight]);
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([underWay.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), waitMs); })]);
      clearTimeout(timer);
      if (!finished) for (const lease of held.values()) lease.abort.abort();
      await underWay;
      clearInterval(renewal);
      try {
        const released = await store.smsOutbox.releaseLeases(owner, now());
        if (released) log.info({ messages: released }, 'sms queue stopped: messages it held are queued again for another instance');
      } catch (err) {
        log.error({ err }, 'sms queue: giving back leases at stop failed (they expire on their own)');
      }
    },
  };
}
