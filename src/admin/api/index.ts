// The admin API under /admin/api: the OpenAPI document (public: it describes, it holds nothing),
// then the bearer gate, then every route of the table. Errors become RFC 9457 documents in
// src/web/errors.ts (the app's one error handler).
import { Router, type RequestHandler } from 'express';
import { AppError } from '../../errors.ts';
import { mountRoutes, openApiDocument, type ApiRoute } from './define.ts';

export function adminApi(opts: { issuer: string; requireAdmin: RequestHandler; routes: ApiRoute[] }): Router {
  const router = Router();
  const document = openApiDocument(opts.routes, opts.issuer);
  router.get('/openapi.json', (_req, res) => { res.set('cache-control', 'no-cache').json(document); });
  router.use(opts.requireAdmin);
  router.use(mountRoutes(opts.routes));
  router.use((req, _res, next) => next(new AppError(404, 'not_found', { detail: `no admin API route ${req.method} ${req.baseUrl}${req.path}; see /admin/api/openapi.json` })));
  return router;
}
