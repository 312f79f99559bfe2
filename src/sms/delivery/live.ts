// The connector chain, swappable at runtime: setChain builds the new connectors, then the next message
// uses them; an attempt already under way finishes on the chain it started with. A connector whose
// config did not change is kept, circuit breaker and all (an edit elsewhere does not reset an open
// circuit); a new or changed one starts with a closed circuit.
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../config/schema.ts';
import { createConnector } from '../sender.ts';
import type { SmsConnector, SmsMessage } from '../types.ts';
import { createBreaker, type Breaker } from './breaker.ts';
import { createDispatch, type AttemptOptions, type DeliveryOptions, type Dispatch, type DispatchRecorder } from './dispatch.ts';

export interface ChainMember {
  type: string;
  id: string;
  /** The connector's circuit: `open` means it is skipped until the cooldown ends. */
  circuit: Breaker['state'];
}

export interface LiveDispatch extends Dispatch {
  /** Builds the connectors of `configs` and makes the next message use them. Calls are applied in order; throws (chain unchanged) if one cannot be built. */
  setChain(configs: readonly ConnectorConfig[]): Promise<void>;
  /** The configs of the chain in use, copied (with secrets: mask them with maskChain before showing). */
  configs(): readonly ConnectorConfig[];
  /** The chain in use: each connector's type, id and circuit state. */
  members(): ChainMember[];
  /**
   * A dispatch through the connector at `index` of the chain in use only (no failover), with a circuit
   * of its own: an admin's test ignores and does not move the live circuit. Undefined when out of range.
   */
  via(index: number): Dispatch | undefined;
}

interface Member { key: string; config: ConnectorConfig; connector: SmsConnector; breaker: Breaker }

/** The same JSON for the same config, whatever the order its keys were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The live chain. `prebuilt` replaces the connectors built from `initialConfigs` for the first chain
 * (tests hand in their own); later chains are always built from their configs. `record`: the live chain's
 * attempts and failovers (an admin's test send through `via` is not counted).
 */
export async function createLiveDispatch(
  initialConfigs: readonly ConnectorConfig[], opts: DeliveryOptions, log: Logger, now: () => number = Date.now, prebuilt?: readonly SmsConnector[],
  record?: DispatchRecorder,
): Promise<LiveDispatch> {
  const newBreaker = () => createBreaker(opts.breakerThreshold, opts.breakerCooldownMs);
  let members: Member[];
  let dispatch: Dispatch;
  const use = (next: Member[]) => {
    members = next;
    dispatch = createDispatch(next.map((m) => m.connector), opts, log, now, new Map(next.map((m) => [m.connector, m.breaker])), record);
  };

  const build = async (configs: readonly ConnectorConfig[], previous: readonly Member[]): Promise<Member[]> => {
    if (configs.length === 0) throw new Error('an SMS connector chain needs at least one connector');
    const unused = [...previous];
    return Promise.all(configs.map(async (config) => {
      const key = canonical(config);
      const kept = unused.findIndex((m) => m.key === key);
      if (kept >= 0) return unused.splice(kept, 1)[0]!;
      return { key, config: structuredClone(config), connector: await createConnector(config), breaker: newBreaker() };
    }));
  };

  if (prebuilt) {
    use(prebuilt.map((connector, i) => ({
      key: `prebuilt:${i}`, // never taken for a config's connector
      config: structuredClone(initialConfigs[i] ?? ({ type: 'console' } as ConnectorConfig)),
      connector, breaker: newBreaker(),
    })));
  } else {
    use(await build(initialConfigs, []));
  }

  let applying: Promise<void> = Promise.resolve();
  const live: Dispatch = Object.assign((msg: SmsMessage, childLog?: Logger) => dispatch(msg, childLog), {
    attempt: (msg: SmsMessage, attemptOpts?: AttemptOptions) => dispatch.attempt(msg, attemptOpts),
  });
  return Object.assign(live, {
    setChain(configs: readonly ConnectorConfig[]): Promise<void> {
      const step = applying.then(async () => {
        const next = await build(configs, members);
        use(next);
        log.info({ connectors: next.map((m) => m.connector.id) }, 'sms connector chain replaced');
      });
      applying = step.catch(() => undefined);
      return step;
    },
    configs: () => members.map((m) => structuredClone(m.config)),
    members: () => members.map((m) => ({ type: m.config.type, id: m.connector.id, circuit: m.breaker.state })),
    via(index: number): Dispatch | undefined {
      const member = Number.isInteger(index) ? members[index] : undefined;
      if (!member) return undefined;
      return createDispatch([member.connector], opts, log, now, new Map([[member.connector, newBreaker()]]));
    },
  });
}
