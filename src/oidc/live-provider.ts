// The provider of the key ring in force. oidc-provider takes its keys at construction, so a
// rotation (by any instance or the CLI, seen as a new revision of the ring in the store) or a key
// reaching its retire time builds a new Provider and swaps it in; requests under way finish on the
// one they started on. Nothing is lost by a swap: interactions, sessions and tokens live in the
// store adapter, and the cookies stay valid (every key that signed one is still in the ring).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { viewOf, type Algorithm, type KeyRing, type RingView } from './key-ring.ts';
import { KEY_RING, loadKeyRing, type KeyRingRead } from './keys.ts';

export interface LiveProviderDeps {
  store: Store;
  /** Builds a configured Provider for a view of the ring. */
  build(view: RingView): Provider;
  /** The algorithm of a first ring's key (config `keys.algorithm`). */
  algorithm: Algorithm;
  log: Logger;
  now: () => number;
  /** The first read of the ring, if already started (else it is read here). */
  first?: Promise<KeyRingRead>;
}

interface Current { rev: number; ring: KeyRing; view: RingView; provider: Provider; handler: (req: IncomingMessage, res: ServerResponse) => void }

export interface LiveProvider {
  provider(): Provider;
  view(): RingView;
  /** Picks up a rotation from the store (one indexed read, shared by concurrent requests) or an activation or retire time that has passed. */
  refresh(): Promise<void>;
  /** Express middleware: refresh before the request (a store outage keeps the keys in force). */
  check: RequestHandler;
  /** The provider's own handler (its routes), the one in force. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function createLiveProvider(deps: LiveProviderDeps): Promise<LiveProvider> {
  const make = (rev: number, ring: KeyRing): Current => {
    const view = viewOf(ring, deps.now());
    const provider = deps.build(view);
    return { rev, ring, view, provider, handler: provider.callback() };
  };
  const first = await (deps.first ?? loadKeyRing(deps.store, deps.algorithm, deps.now()));
  let current = make(first.rev, first.ring);

  async function reload(): Promise<void> {
    const { ring, rev } = await loadKeyRing(deps.store, deps.algorithm, deps.now());
    if (rev !== current.rev) {
      const next = make(rev, ring);
      deps.log.info({ kid: next.view.jwks.keys[0]?.kid, alg: next.view.algorithm, published: next.view.jwks.keys.length }, 'keys: the key ring changed');
      current = next;
    } else if (deps.now() >= current.view.changesAt) {
      const next = make(rev, ring);
      deps.log.info({ kid: next.view.jwks.keys[0]?.kid, published: next.view.jwks.keys.length }, 'keys: a key reached its activation or retire time');
      current = next;
    }
  }

  /** One check (never two at once: refresh() runs them one after the other). */
  async function checkOnce(): Promise<void> {
    const rev = await deps.store.secrets.rev(KEY_RING);
    if ((rev !== undefined && rev !== current.rev) || deps.now() >= current.view.changesAt) await reload();
  }

  // Concurrent requests share reads: a request that finds a check under way (it started before the
  // request came, so it may miss a rotation committed since) waits for the next one, which every
  // request arriving meanwhile shares. Under load that is one read per round trip, not per request.
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  function refresh(): Promise<void> {
    if (!running) {
      running = checkOnce().finally(() => { running = undefined; });
      return running;
    }
    queued ??= running.catch(() => {}).then(() => { queued = undefined; return refresh(); });
    return queued;
  }

  return {
    provider: () => current.provider,
    view: () => current.view,
    refresh,
    check: (_req, _res, next) => {
      refresh().then(() => next(), (err: unknown) => {
        // The store is out (or the ring unreadable): keep serving with the keys in force (an outage is logged elsewhere).
        if (!(err instanceof AppError && err.status === 503)) deps.log.warn({ err: (err as Error).message }, 'keys: the key ring could not be checked; the keys in force stay');
        next();
      });
    },
    handle: (req, res) => current.handler(req, res),
  };
}
