// The SMS queue: messages are stored first (a restart loses none), then sent by this worker off
// the request path. Messages past their code's expiry are dropped, not sent. Bodies are cleared
// once a message is settled. A body carries the code, so it is stored sealed (AES-256-GCM under a
// key kept in the store): no code is ever written to the database, its WAL or a backup in clear.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
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

const SEALED = 'sealed:v1:';

/** AES-256-GCM: `sealed:v1:` + base64url(iv ‖ tag ‖ ciphertext). */
export function sealBody(key: Buffer, body: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
  return SEALED + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
}

/** The body sealBody sealed; a row stored before bodies were sealed is returned as it is. Throws if tampered with. */
export function openBody(key: Buffer, stored: string): string {
  if (!stored.startsWith(SEALED)) return stored;
  const raw = Buffer.from(stored.slice(SEALED.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** `concurrency`: messages in flight at once, so a slow provider cannot open hundreds of connections. */
export function createSmsQueue(store: Store, dispatch: Dispatch, log: Logger, allowedCountries: readonly string[], now = Date.now, concurrency = 64): SmsQueue {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const inflight = new Set<Promise<void>>();
  const inflightIds = new Set<string>();
  const owner = randomUUID();
  // One key for every instance on this store, so a restart (or another instance) can open what was queued.
  let sealKey: Promise<Buffer> | undefined;
  const keyOf = () => (sealKey ??= store.secrets.getOrCreate('sms-queue-key', async () => randomBytes(32).toString('base64url'))
    .then((b64) => Buffer.from(b64, 'base64url')));

  async function deliver(id: string, msg: SmsMessage, expiresAt: number): Promise<void> {
    if (now() >= expiresAt) {
      await store.smsOutbox.markFailed(id, owner, 'expired', now());
      log.warn({ id, usage: msg.usage }, 'sms dropped: its code expired before it could be sent');
      return;
    }
    try {
      const sent = await dispatch(msg, log.child({ sms: id }));
      await store.smsOutbox.markSent(id, owner, sent.connector, sent.providerMessageId, now());
      log.info({ id, connector: sent.connector, usage: msg.usage, providerMessageId: sent.providerMessageId }, 'sms sent');
    } catch (err) {
      const code = err instanceof SmsError ? err.code : 'unavailable';
      await store.smsOutbox.markFailed(id, owner, code, now());
      log.error({ id, error: code, usage: msg.usage }, 'sms not delivered: every connector failed');
    }
  }

  async function pump(): Promise<void> {
    do {
      again = false;
      const room = Math.min(BATCH, concurrency - inflight.size);
      if (room <= 0) break;
      const due = await store.smsOutbox.claimDue(owner, now(), room, LEASE_MS);
      const key = due.length ? await keyOf() : undefined;
      for (const m of due) {
        if (inflightIds.has(m.id)) continue; // this process is still sending it
        inflightIds.add(m.id);
        let body: string;
        try {
          body = openBody(key!, m.body ?? '');
        } catch {
          inflightIds.delete(m.id);
          await store.smsOutbox.markFailed(m.id, owner, 'invalid_config', now());
          log.error({ id: m.id }, 'sms not delivered: its stored body could not be opened (another sms-queue-key?)');
          continue;
        }
        const task = deliver(m.id, { to: m.to, body, usage: m.usage as SmsMessage['usage'], ...(m.locale ? { locale: m.locale } : {}) }, m.expiresAt)
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
  const released = store.kind === 'sqlite' ? store.smsOutbox.releaseLeases(owner, now()) : Promise.resolve(0);
  void released.then((n) => { if (n) log.warn({ messages: n }, 'sms queue: resuming messages a previous run left unsent'); kick(); });
  const timer = setInterval(kick, POLL_MS);
  timer.unref();

  return {
    async enqueue(msg) {
      const refused = checkDestination(msg.to, allowedCountries);
      if (refused) throw new SmsError('invalid_recipient', `destination refused: ${refused}`);
      const id = randomUUID();
      await store.smsOutbox.enqueue({
        id, interactionUid: msg.interactionUid ?? null, to: msg.to, body: sealBody(await keyOf(), msg.body), usage: msg.usage,
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
