// GET /health, for a load balancer: 200 {"status":"ok"} while this instance reaches its store, else
// 503 {"status":"unavailable"} (with Retry-After), always JSON. No session, no DB write.
import { Router } from 'express';
import { AppError } from '../errors.ts';
import type { Store } from '../store/types.ts';

export function healthRoutes(store: Store): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    res.set('cache-control', 'no-store');
    try {
      await store.ping();
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 503) throw err;
      return void res.status(503).set(err.headers).json({ status: 'unavailable' });
    }
    res.json({ status: 'ok' });
  });
  return router;
}
