// Serializes the requests of one interaction across every instance on the store, so a double-click
// or parallel submissions (through any instance) cannot interleave their read-modify-write of the
// flow state: the store's `interaction:<uid>` lease, held by this request (a random owner) until
// its answer is ready (just before it is sent). A request that cannot get it in time gets a retryable 503.
// (The flow state's revision check in the runner backs this up: a write from a stale read is refused.)
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { LockStore } from '../store/types.ts';

export interface InteractionLockOptions {
  /** How long the lease lives unless renewed (renewed every third of it while the request runs). */
  ttlMs: number;
  /** How long a request waits for another request of the same interaction before giving up. */
  waitMs: number;
}

export const INTERACTION_LOCK: InteractionLockOptions = { ttlMs: 15_000, waitMs: 10_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function interactionLock(locks: LockStore, log: Logger, opts: InteractionLockOptions = INTERACTION_LOCK, now = Date.now): RequestHandler {
  return async (req, res, next) => {
    const name = `interaction:${String(req.params.uid)}`;
    const owner = randomUUID();
    let gone = false;
    res.once('close', () => { gone = true; });
    const giveUpAt = now() + opts.waitMs;
    for (let wait = 10; !(await locks.acquire(name, owner, opts.ttlMs, now())); wait = Math.min(wait * 2, 250)) {
      if (gone) return; // the browser left while it waited: nothing to answer
      if (now() >= giveUpAt) {
        throw new AppError(503, 'interaction_busy', { detail: 'another request of this interaction is still running', headers: { 'retry-after': '1' } });
      }
      await sleep(wait * (0.5 + Math.random()));
    }
    const renew = setInterval(() => {
      locks.acquire(name, owner, opts.ttlMs, now()).then((held) => {
        if (!held) log.warn({ lock: name }, 'interaction lock lost while its request ran (the flow state revision still guards the write)');
      }, (err: unknown) => log.error({ err, lock: name }, 'interaction lock renewal failed'));
    }, Math.max(1, Math.floor(opts.ttlMs / 3)));
    renew.unref();
    let released: Promise<void> | undefined;
    const release = () => (released ??= (clearInterval(renew), locks.release(name, owner)
      .catch((err: unknown) => log.error({ err, lock: name }, 'interaction lock release failed'))));
    if (gone) return void release();
    // The lease goes back when the handler has produced its answer, just before it is sent: the
    // browser's next request (the GET a 303 leads to) finds it free, and a browser that left
    // mid-request frees nothing while its handler still runs (renewal stops; the lease then runs out).
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      void release().then(() => end(...args));
      return res;
    }) as Response['end'];
    res.once('close', () => { if (!res.writableEnded) clearInterval(renew); });
    next();
  };
}
