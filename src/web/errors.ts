// One error model for pages: an HttpError carries a status and a message key; one handler
// renders every error as a page (or JSON for API paths), never a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errors as oidcErrors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Render } from './views.ts';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: number, readonly key: string, readonly code?: string) {
    super(key);
  }
}

export function notFound(): RequestHandler {
  return (_req, _res, next) => next(new HttpError(404, 'not_found'));
}

function classify(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof oidcErrors.SessionNotFound) return new HttpError(400, 'session_not_found');
  if (err instanceof oidcErrors.OIDCProviderError) {
    return new HttpError(err.status < 500 ? err.status : 500, err.status < 500 ? 'oidc' : 'server_error', err.error);
  }
  const e = err as { status?: number; type?: string; expose?: boolean };
  if (e.type === 'entity.too.large') return new HttpError(413, 'payload_too_large');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'invalid_request');
  return new HttpError(500, 'server_error');
}

export function errorHandler(render: Render, log: Logger, defaultLocale: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const httpError = classify(err);
    if (httpError.status >= 500) log.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.status(httpError.status).set('cache-control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json' && !req.accepts('html')) {
      res.json({ error: httpError.code ?? httpError.key });
      return;
    }
    res.type('html').send(render('error', { locale: defaultLocale, title: 'Error', message: httpError.key, code: httpError.code }));
  };
}

/**
 * oidc-provider (Koa) answers a path it has no route for with a bare text "Not Found"; this gives
 * it the same 404 page (or JSON problem) as every other unknown path. Register with provider.use.
 */
export function providerNotFound(render: Render, defaultLocale: string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null) return;
    if (ctx.accepts(['html', 'json']) === 'json' && !ctx.accepts('html')) ctx.body = { error: 'not_found' };
    else {
      ctx.body = render('error', { locale: defaultLocale, title: 'Error', message: 'not_found' });
      ctx.type = 'html';
    }
    ctx.status = 404;
    ctx.set('cache-control', 'no-store');
  };
}
