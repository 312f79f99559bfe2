// Sends one message through the ordered connector chain: per attempt a timeout; retries with
// exponential backoff and jitter for `unavailable`/`rate_limited`; then the next connector
// (failover); connectors with an open circuit are skipped. A refused recipient stops the chain.
import type { Logger } from 'pino';
import { SmsError, type SmsConnector, type SmsMessage } from '../types.ts';
import { createBreaker, type Breaker } from './breaker.ts';

export interface DeliveryOptions { timeoutMs: number; retries: number; backoffMs: number; breakerThreshold: number; breakerCooldownMs: number }
export interface Dispatched { connector: string; providerMessageId: string | null }
export type Dispatch = (msg: SmsMessage, log?: Logger) => Promise<Dispatched>;

const retryable = (e: SmsError) => e.code === 'unavailable' || e.code === 'rate_limited';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmsError('unavailable', `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `breakers`: shared with another dispatch (a live chain keeps an unchanged connector's circuit); missing ones are added. */
export function createDispatch(connectors: SmsConnector[], opts: DeliveryOptions, baseLog: Logger, now = Date.now, breakers = new Map<SmsConnector, Breaker>()): Dispatch {
  for (const c of connectors) if (!breakers.has(c)) breakers.set(c, createBreaker(opts.breakerThreshold, opts.breakerCooldownMs));
  return async (msg, log = baseLog) => {
    let last = new SmsError('invalid_config', 'no connector available');
    for (const [index, connector] of connectors.entries()) {
      const breaker = breakers.get(connector)!;
      if (!breaker.allows(now())) {
        log.warn({ connector: connector.id }, 'sms connector skipped: circuit open');
        last = new SmsError('unavailable', `${connector.id}: circuit open`);
        continue;
      }
      for (let attempt = 0; attempt <= opts.retries; attempt += 1) {
        try {
          const { providerMessageId } = await withTimeout(connector.send(msg), opts.timeoutMs);
          breaker.success();
          if (index > 0) log.warn({ connector: connector.id, usage: msg.usage }, 'sms sent by failover connector');
          return { connector: connector.id, providerMessageId: providerMessageId ?? null };
        } catch (err) {
          last = err instanceof SmsError ? err : new SmsError('unavailable', (err as Error).message);
          log.warn({ connector: connector.id, error: last.code, detail: last.detail, attempt: attempt + 1 }, 'sms send failed');
          if (!retryable(last)) break;
          breaker.failure(now());
          if (attempt < opts.retries && breaker.allows(now())) {
            await sleep(opts.backoffMs * 2 ** attempt * (0.5 + Math.random()));
          } else break;
        }
      }
      if (last.code === 'invalid_recipient' || last.code === 'rejected') break;
      if (index < connectors.length - 1) log.warn({ from: connector.id, to: connectors[index + 1]!.id, error: last.code }, 'sms failover');
    }
    throw last;
  };
}
