// The bench's load balancer in a process of its own, as a real one is (its CPU is not the load
// client's): test/helpers/round-robin-proxy.ts on PORT, every request to the next of BENCH_BACKENDS
// (comma-separated URLs).
import { startRoundRobinProxy } from '../test/helpers/round-robin-proxy.ts';

const backends = (process.env.BENCH_BACKENDS ?? '').split(',').filter(Boolean);
const proxy = await startRoundRobinProxy(backends, { port: Number(process.env.PORT) });
process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
