// Probes for a load balancer or an orchestrator, always JSON, never cached, no session, no DB write:
// GET /healthz  the process answers: 200 {"status":"ok"} (no store access; also while shutting down).
// GET /readyz   send traffic here: 200 {"status":"ok","checks":{…}} when every part is ready (src/readiness.ts),
//               else 503 {"status":"unavailable","failing":["store",…],"checks":{…}}, or
//               503 {"status":"shutting_down"} once a SIGTERM has started the drain.
// GET /health   the same decision as /readyz in its original shape: 200 {"status":"ok"} / 503 {"status":"unavailable"}.
import { Router, type Response } from 'express';
import type { Readiness } from '../readiness.ts';

const noStore = (res: Response) => res.set('cache-control', 'no-store');

export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => { noStore(res).json({ status: 'ok' }); });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness.check();
    if (report.status === 'shutting_down') return void noStore(res).status(503).json({ status: report.status });
    noStore(res).status(report.status === 'ok' ? 200 : 503).json(report.status === 'ok'
      ? { status: report.status, checks: report.checks }
      : { status: report.status, failing: report.failing, checks: report.checks });
  });
  router.get('/health', async (_req, res) => {
    const report = await readiness.check();
    if (report.status === 'ok') return void noStore(res).json({ status: 'ok' });
    // The store being down is "try again in a moment", as on every page; a draining instance is not coming back.
    if (report.failing.includes('store')) res.set('retry-after', '2');
    noStore(res).status(503).json({ status: 'unavailable' });
  });
  return router;
}
