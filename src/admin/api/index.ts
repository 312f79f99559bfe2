// The admin API under /admin/api: the OpenAPI document (public: it describes, it holds nothing)
// and every route of the table behind the gate of src/admin/console-auth.ts (a bearer token with
// the admin scope, or the console's session). Errors become RFC 9457 documents in src/web/errors.ts.
import { Router, type RequestHandler } from 'express';
import { AppError } from '../../errors.ts';
import { mountRoutes, openApiDocument, type ApiRoute } from './define.ts';

export function openApiHandler(routes: ApiRoute[], issuer: string): RequestHandler {
  const document = openApiDocument(routes, issuer);
  return (_req, res) => { res.set('cache-control', 'no-cache').json(document); };
}

/** Mount at /admin/api after the gate. */
export function adminApi(routes: ApiRoute[]): Router {
  const router = Router();
  router.use(mountRoutes(routes));
  router.use((req, _res, next) => next(new AppError(404, 'not_found', { detail: `no admin API route ${req.method} ${req.baseUrl}${req.path}; see /admin/api/openapi.json` })));
  return router;
}
