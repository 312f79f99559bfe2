// The request-latency middleware (mounted first, so it times everything) and the /metrics route,
// which answers only with the bearer token when one is configured (compared in constant time).
import { createHash, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Router, type RequestHandler } from 'express';
import { AppError } from '../errors.ts';
import type { Metrics } from './index.ts';
import type { Recorder } from './recorder.ts';
import { routeOf } from './routes.ts';

export function requestTimer(record: Pick<Recorder, 'request'>): RequestHandler {
  return (req, res, next) => {
    const start = performance.now();
    const route = routeOf(req.url);
    res.once('finish', () => { record.request(route, res.statusCode, (performance.now() - start) / 1000); });
    next();
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /metrics; with `token`, only for `Authorization: Bearer <token>` (401 otherwise). */
export function metricsRoute(metrics: Metrics, token: string | undefined): Router {
  const want = token === undefined ? undefined : digest(token);
  const router = Router();
  router.get('/metrics', async (req, res) => {
    res.set('cache-control', 'no-store');
    if (want) {
      const given = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
      // Hashes of equal length, compared in constant time: neither the token nor its length leaks.
      if (!timingSafeEqual(digest(given), want)) {
        throw new AppError(401, 'unauthorized', { headers: { 'www-authenticate': 'Bearer realm="flowgate-metrics"' } });
      }
    }
    res.type(metrics.contentType).send(await metrics.text());
  });
  return router;
}
