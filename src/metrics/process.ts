// The process's own metrics (CPU, memory, event loop, GC, handles; prefix `flowgate_`), in one
// registry per process: they describe the process, not an app, and prom-client's collectors add
// a GC observer and an event-loop monitor each time they are set up, which per app (tests build
// many in one process) would pile up. This registry is the module's only state, made on first use.
import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared, prefix: 'flowgate_' });
  }
  return shared;
}
