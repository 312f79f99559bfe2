// The periodic purge of expired rows, on one instance at a time: each tick runs purgeExpired only
// while this instance holds the store's `purge` lease (taken for about one interval, renewed by the
// holder's next tick); the others skip. When the holder stops (or dies), another takes over.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from './store/types.ts';

export const PURGE_INTERVAL_MS = 60_000;

export interface Purger {
  /** One tick now: purges when this instance holds (or gets) the lease; says whether it purged. */
  tick(): Promise<boolean>;
  /** Stops the timer and gives the lease up, so another instance purges from its next tick. */
  stop(): Promise<void>;
}

export function startPurge(store: Store, log: Logger, intervalMs = PURGE_INTERVAL_MS, now = Date.now): Purger {
  const owner = randomUUID();
  // A little longer than the interval: the holder's next tick renews it before it lapses.
  const ttlMs = intervalMs + Math.min(intervalMs, 5_000);
  let busy: Promise<boolean> | undefined;
  const tick = () => (busy ??= (async () => {
    try {
      if (!(await store.locks.acquire('purge', owner, ttlMs, now()))) return false;
      const removed = await store.purgeExpired(now());
      if (removed) log.debug({ removed }, 'expired rows purged');
      return true;
    } catch (err) {
      log.error({ err }, 'purge failed');
      return false;
    } finally {
      busy = undefined;
    }
  })());
  const timer = setInterval(() => { void tick(); }, intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await busy;
      await store.locks.release('purge', owner).catch((err: unknown) => log.error({ err }, 'purge lease release failed'));
    },
  };
}
