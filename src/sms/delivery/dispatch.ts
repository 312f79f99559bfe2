// Sends one message through the ordered connector chain, one connector attempt at a time. The chain
// position (`step`, a flat index over connector × attempt) says where an attempt starts, so the queue
// can store it between attempts (any instance continues) instead of sleeping with a lease held.
// Per attempt a timeout that aborts the provider call; for `unavailable`/`rate_limited` a retry after
// an exponential backoff with jitter; then the next connector (failover); connectors with an open
// circuit are skipped. A refused recipient stops the chain.
import type { Logger } from 'pino';
import { SmsError, type SmsConnector, type SmsMessage } from '../types.ts';
import { createBreaker, type Breaker } from './breaker.ts';
import { noRecorder, type Recorder } from '../../metrics/recorder.ts';

/** What a dispatch records (metrics): failed provider attempts and failovers. */
export type DispatchRecorder = Pick<Recorder, 'smsAttemptFailed' | 'smsFailover'>;

export interface DeliveryOptions { timeoutMs: number; retries: number; backoffMs: number; breakerThreshold: number; breakerCooldownMs: number }
export interface Dispatched { connector: string; providerMessageId: string | null }

/** What one attempt came to. */
export type Attempted =
  | ({ kind: 'sent' } & Dispatched)
  /** Not sent yet: try again from chain position `step` in `delayMs` (a backoff; 0 for the next connector). */
  | { kind: 'retry'; step: number; delayMs: number; error: SmsError }
  /** Not sent, and nothing is left to try (or the recipient was refused). */
  | { kind: 'failed'; error: SmsError }
  /** The caller's signal ended the attempt (its lease was lost): its outcome is unknown; settle nothing. */
  | { kind: 'aborted' };

export interface AttemptOptions {
  /** The chain position to start at (0: the first connector's first try). */
  step?: number;
  signal?: AbortSignal;
  log?: Logger;
}

/** One connector attempt from `step` (skipping connectors whose circuit is open). */
export type Attempt = (msg: SmsMessage, opts?: AttemptOptions) => Promise<Attempted>;

export interface Dispatch {
  /** The whole chain now, waiting out the backoffs (a test send: no queue, no lease). Throws the last SmsError. */
  (msg: SmsMessage, log?: Logger): Promise<Dispatched>;
  attempt: Attempt;
}

const retryable = (e: SmsError) => e.code === 'unavailable' || e.code === 'rate_limited';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One provider call, aborted (the connector gets the signal) when `timeoutMs` passes or `outer` aborts. */
async function sendOnce(connector: SmsConnector, msg: SmsMessage, timeoutMs: number, outer?: AbortSignal) {
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new SmsError('unavailable', `no answer within ${timeoutMs} ms`)), timeoutMs);
  const signal = outer ? AbortSignal.any([timer.signal, outer]) : timer.signal;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof SmsError ? signal.reason : new SmsError('unavailable', 'aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // A connector that ignores the signal still cannot hold the attempt past its timeout.
    return await Promise.race([aborted, connector.send(msg, { signal })]);
  } finally {
    clearTimeout(timeout);
    signal.removeEventListener('abort', onAbort);
  }
}

/** `breakers`: shared with another dispatch (a live chain keeps an unchanged connector's circuit); missing ones are added. */
export function createDispatch(
  connectors: SmsConnector[], opts: DeliveryOptions, baseLog: Logger, now = Date.now, breakers = new Map<SmsConnector, Breaker>(), record: DispatchRecorder = noRecorder,
): Dispatch {
  for (const c of connectors) if (!breakers.has(c)) breakers.set(c, createBreaker(opts.breakerThreshold, opts.breakerCooldownMs));
  const perConnector = opts.retries + 1;

  const attempt: Attempt = async (msg, { step = 0, signal, log = baseLog } = {}) => {
    let tries = step % perConnector; // tries this connector already had
    // Made only when no connector could be tried (an Error captures its stack: not on every send).
    let last: SmsError | undefined;
    for (let index = Math.floor(step / perConnector); index < connectors.length; index += 1, tries = 0) {
      const connector = connectors[index]!;
      const breaker = breakers.get(connector)!;
      if (!breaker.allows(now())) {
        log.warn({ connector: connector.id }, 'sms connector skipped: circuit open');
        last = new SmsError('unavailable', `${connector.id}: circuit open`);
        continue;
      }
      try {
        const { providerMessageId } = await sendOnce(connector, msg, opts.timeoutMs, signal);
        breaker.success();
        if (index > 0) log.warn({ connector: connector.id, usage: msg.usage }, 'sms sent by failover connector');
        return { kind: 'sent', connector: connector.id, providerMessageId: providerMessageId ?? null };
      } catch (err) {
        if (signal?.aborted) return { kind: 'aborted' };
        last = err instanceof SmsError ? err : new SmsError('unavailable', (err as Error).message);
        log.warn({ connector: connector.id, error: last.code, detail: last.detail, attempt: tries + 1 }, 'sms send failed');
        record.smsAttemptFailed(connector.id, last.code);
        if (retryable(last)) {
          breaker.failure(now());
          if (tries < opts.retries && breaker.allows(now())) {
            const delayMs = Math.round(opts.backoffMs * 2 ** tries * (0.5 + Math.random()));
            return { kind: 'retry', step: index * perConnector + tries + 1, delayMs, error: last };
          }
        }
        if (last.code === 'invalid_recipient' || last.code === 'rejected') return { kind: 'failed', error: last };
        if (index === connectors.length - 1) return { kind: 'failed', error: last };
        log.warn({ from: connector.id, to: connectors[index + 1]!.id, error: last.code }, 'sms failover');
        record.smsFailover(connector.id, connectors[index + 1]!.id);
        return { kind: 'retry', step: (index + 1) * perConnector, delayMs: 0, error: last };
      }
    }
    return { kind: 'failed', error: last ?? (step === 0 ? new SmsError('invalid_config', 'no connector available') : new SmsError('unavailable', 'no connector left to try')) };
  };

  const whole = async (msg: SmsMessage, log = baseLog): Promise<Dispatched> => {
    for (let step = 0; ;) {
      const result = await attempt(msg, { step, log });
      if (result.kind === 'sent') return { connector: result.connector, providerMessageId: result.providerMessageId };
      if (result.kind !== 'retry') throw result.kind === 'failed' ? result.error : new SmsError('unavailable', 'aborted');
      if (result.delayMs > 0) await sleep(result.delayMs);
      step = result.step;
    }
  };
  return Object.assign(whole, { attempt });
}
