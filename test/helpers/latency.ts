// A store whose every call answers a few milliseconds later, as a store across a network does: in one
// test process two instances' requests then interleave between a read and the write that follows it
// (the SQLite store answers at once, so without this they never would).
import type { Store } from '../../src/store/types.ts';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

function delayed<T extends object>(target: T, ms: number): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof value === 'function') {
        return async (...args: unknown[]) => { await later(ms); return (value as (...a: unknown[]) => unknown).apply(obj, args); };
      }
      if (value && typeof value === 'object') return delayed(value, ms);
      return value;
    },
  });
}

/** `store` with `ms` of latency before every call (close included). */
export function withLatency(store: Store, ms = 2): Store {
  return delayed(store, ms);
}
