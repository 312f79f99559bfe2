// GET /health, for a load balancer: 200 {"status":"ok"} while this instance reaches its store, else
// the store's 503 (with Retry-After), as every route answers during an outage. No session, no DB write.
import { Router } from 'express';
import type { Store } from '../store/types.ts';

export function healthRoutes(store: Store): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    await store.ping();
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  return router;
}
