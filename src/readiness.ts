// Whether this instance should get traffic (/readyz, /health): the store answers, signing keys and
// flows are loaded, the SMS worker's loop runs, and the instance is not shutting down. Each check
// names its part and a fixed word for why not; nothing from the environment (no URL, error text or
// stack) reaches the answer. Cheap: store pings asked at the same time share one, bounded in time.
import { AppError } from './errors.ts';
import type { SmsWorkerState } from './sms/delivery/worker.ts';
import type { Store } from './store/types.ts';

export type Part = 'store' | 'keys' | 'flows' | 'sms';

export interface PartResult { status: 'ok' | 'failing'; detail?: string }

export interface ReadinessReport {
  status: 'ok' | 'unavailable' | 'shutting_down';
  /** The parts that fail, in a fixed order (empty when ready, or while shutting down). */
  failing: Part[];
  checks: Partial<Record<Part, PartResult>>;
}

export interface ReadinessDeps {
  store: Pick<Store, 'ping'>;
  /** How many signing keys the provider signs and publishes with. */
  signingKeys(): number;
  /** Whether the flow that serves a plain sign-in is loaded. */
  signInFlowLoaded(): boolean;
  smsWorker(): SmsWorkerState;
  /** A store ping slower than this counts as failing (default 2 s: a probe must not hang). */
  pingTimeoutMs?: number;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
  /** From now on every check answers `shutting_down` (the load balancer drains this instance). */
  shuttingDown(): void;
}

const ok: PartResult = { status: 'ok' };
const failing = (detail: string): PartResult => ({ status: 'failing', detail });

export function createReadiness(deps: ReadinessDeps): Readiness {
  const pingTimeoutMs = deps.pingTimeoutMs ?? 2_000;
  let stopping = false;
  let pinging: Promise<PartResult> | undefined;

  const pingStore = (): Promise<PartResult> => (pinging ??= (async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<PartResult>((resolve) => { timer = setTimeout(() => resolve(failing('timeout')), pingTimeoutMs); });
      return await Promise.race([deps.store.ping().then(() => ok), timeout]);
    } catch (err) {
      return failing(err instanceof AppError && err.status === 503 ? 'unreachable' : 'error');
    } finally {
      clearTimeout(timer);
      pinging = undefined;
    }
  })());

  const sync = (fn: () => PartResult): PartResult => {
    try { return fn(); } catch { return failing('error'); }
  };

  return {
    async check() {
      if (stopping) return { status: 'shutting_down', failing: [], checks: {} };
      const checks: Record<Part, PartResult> = {
        store: await pingStore(),
        keys: sync(() => (deps.signingKeys() > 0 ? ok : failing('no signing key'))),
        flows: sync(() => (deps.signInFlowLoaded() ? ok : failing('sign-in flow not loaded'))),
        sms: sync(() => {
          const state = deps.smsWorker();
          return state === 'running' ? ok : failing(state);
        }),
      };
      const failed = (Object.keys(checks) as Part[]).filter((part) => checks[part].status === 'failing');
      if (stopping) return { status: 'shutting_down', failing: [], checks: {} };
      return { status: failed.length ? 'unavailable' : 'ok', failing: failed, checks };
    },
    shuttingDown() { stopping = true; },
  };
}
