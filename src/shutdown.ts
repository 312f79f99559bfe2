// Graceful shutdown on SIGTERM/SIGINT, bounded by one grace period: readiness answers
// `shutting_down`, the listener closes (new connections are refused, so a balancer retries them
// elsewhere), requests in flight finish, idle keep-alive connections close, and every response from
// then on carries `connection: close` (a request arriving on a kept-alive socket is still served: a
// person's next step finishes instead of failing). At the deadline what is left is cut. Then the
// SMS worker stops (attempts under way get what is left of the grace, then their leases go back to
// the queue for another instance) and the store closes; exit 0. A second signal exits at once (1).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export const SHUTDOWN_GRACE_MS = 10_000;

export interface ShutdownDeps {
  server: Server;
  graceMs: number;
  log: Logger;
  /** Called first: readiness turns 503 `shutting_down`. */
  onDrainStart(): void;
  /** Stops the rest (SMS worker, purge, store), in `waitMs` at most for the work under way. */
  release(waitMs: number): Promise<void>;
}

/** The signal handler: the first call drains, a second exits at once. */
export type OnSignal = (signal: string) => void;

/** What is kept for closing the store after the drain: a fifth of the grace, at most 1 s. */
const reserveOf = (graceMs: number) => Math.min(1_000, Math.floor(graceMs / 5));

export function gracefulShutdown(deps: ShutdownDeps): OnSignal {
  const { server, graceMs, log } = deps;
  const active = new Set<ServerResponse>();
  let draining = false;
  let finished = 0;
  let cut = 0;

  const closeAfter = (res: ServerResponse) => { if (!res.headersSent) res.setHeader('connection', 'close'); };
  // First among the server's listeners, so it runs before the app answers.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    active.add(res);
    if (draining) closeAfter(res);
    res.once('close', () => {
      active.delete(res);
      if (draining && res.writableFinished) finished += 1;
    });
  });

  const finish = (code: number) => process.exit(code);

  async function drain(signal: string): Promise<void> {
    const started = Date.now();
    const deadline = started + graceMs;
    const inFlight = active.size;
    log.info({ signal, inFlight, graceMs }, 'flowgate stopping: no new connections, finishing the requests in flight');
    deps.onDrainStart();
    for (const res of active) closeAfter(res);
    // Nothing may outlast the grace: if closing hangs (a store that does not answer), exit anyway.
    const hard = setTimeout(() => {
      log.error({ finished, cut, ms: Date.now() - started }, 'flowgate stopped: the grace period ended before the store closed');
      finish(1);
    }, graceMs);
    hard.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const drainEnd = deadline - reserveOf(graceMs);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), Math.max(0, drainEnd - Date.now())); }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      cut = active.size;
      server.closeAllConnections();
    }
    try {
      await deps.release(Math.max(0, drainEnd - Date.now()));
    } catch (err) {
      clearTimeout(hard);
      log.error({ err }, 'flowgate stopped: closing failed');
      return finish(1);
    }
    clearTimeout(hard);
    log.info({ finished, cut, ms: Date.now() - started }, 'flowgate stopped');
    finish(0);
  }

  return (signal) => {
    if (draining) {
      log.warn({ signal, inFlight: active.size }, 'flowgate: a second signal, exiting now');
      finish(1);
      return;
    }
    draining = true;
    void drain(signal);
  };
}
