// The SMS queue: messages are stored first (a restart loses none), then sent by this worker off
// the request path. Messages past their code's expiry are dropped, not sent. Bodies are cleared
// once a message is settled.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { QueuedSms, Store } from '../../store/types.ts';
import { checkDestination } from '../phone-policy.ts';
import { SmsError, type SmsMessage } from '../types.ts';
import type { Dispatch } from './dispatch.ts';

export interface Enqueue extends SmsMessage { interactionUid?: string; expiresAt: number }

export interface SmsQueue {
  /** Stores the message for sending; refuses numbers that may not receive SMS (no provider call). */
  enqueue(msg: Enqueue): Promise<string>;
  /** The newest message queued for an interaction (its delivery status). */
  latestFor(interactionUid: string): Promise<QueuedSms | undefined>;
  /** Resolves when everything due now has been tried (tests, shutdown). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Longer than the worst chain of timeouts and retries; a lease only matters after a crash. */
const LEASE_MS = 10 * 60_000;
const POLL_MS = 1_000;
const BATCH = 16;

/** `concurrency`: messages in flight at once, so a slow provider cannot open hundreds of connections. */
export function createSmsQueue(store: Store, dispatch: Dispatch, log: Logger, allowedCountries: readonly string[], now = Date.now, concurrency = 64): SmsQueue {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const inflight = new Set<Promise<void>>();
  const inflightIds = new Set<string>();

  async function deliver(id: string, msg: SmsMessage, expiresAt: number): Promise<void> {
    if (now() >= expiresAt) {
      await store.smsOutbox.markFailed(id, 'expired', now());
      log.warn({ id, usage: msg.usage }, 'sms dropped: its code expired before it could be sent');
      return;
    }
    try {
      const sent = await dispatch(msg, log.child({ sms: id }));
      await store.smsOutbox.markSent(id, sent.connector, sent.providerMessageId, now());
      log.info({ id, connector: sent.connector, usage: msg.usage, providerMessageId: sent.providerMessageId }, 'sms sent');
    } catch (err) {
      const code = err instanceof SmsError ? err.code : 'unavailable';
      await store.smsOutbox.markFailed(id, code, now());
      log.error({ id, error: code, usage: msg.usage }, 'sms not delivered: every connector failed');
    }
  }

  async function pump(): Promise<void> {
    do {
      again = false;
      const room = Math.min(BATCH, concurrency - inflight.size);
      if (room <= 0) break;
      const due = await store.smsOutbox.claimDue(now(), room, LEASE_MS);
      for (const m of due) {
        if (inflightIds.has(m.id)) continue; // this process is still sending it
        inflightIds.add(m.id);
        const task = deliver(m.id, { to: m.to, body: m.body ?? '', usage: m.usage as SmsMessage['usage'], ...(m.locale ? { locale: m.locale } : {}) }, m.expiresAt)
          .catch((err: unknown) => log.error({ err, id: m.id }, 'sms queue error'))
          .finally(() => { inflight.delete(task); inflightIds.delete(m.id); if (!stopped) kick(); });
        inflight.add(task);
      }
      if (due.length === room) again = true;
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) return;
    if (running) { again = true; return; }
    running = pump().catch((err: unknown) => log.error({ err }, 'sms queue error')).finally(() => { running = null; });
  }

  // SQLite has one process: whatever a killed process left `sending` is sent again (if still in time).
  const released = store.kind === 'sqlite' ? store.smsOutbox.releaseLeases(now()) : Promise.resolve(0);
  void released.then((n) => { if (n) log.warn({ messages: n }, 'sms queue: resuming messages a previous run left unsent'); kick(); });
  const timer = setInterval(kick, POLL_MS);
  timer.unref();

  return {
    async enqueue(msg) {
      const refused = checkDestination(msg.to, allowedCountries);
      if (refused) throw new SmsError('invalid_recipient', `destination refused: ${refused}`);
      const id = randomUUID();
      await store.smsOutbox.enqueue({
        id, interactionUid: msg.interactionUid ?? null, to: msg.to, body: msg.body, usage: msg.usage,
        locale: msg.locale ?? null, createdAt: now(), expiresAt: msg.expiresAt,
      });
      kick();
      return id;
    },
    latestFor: (uid) => store.smsOutbox.latestFor(uid),
    async drain() {
      await released;
      kick();
      while (running || inflight.size) {
        await running;
        await Promise.all([...inflight]);
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all([...inflight]);
    },
  };
}
