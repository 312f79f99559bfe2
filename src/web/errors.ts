// HTTP mapping of the one error model (src/errors.ts), in one place: every error becomes a page,
// a JSON error, or (under /admin/api, or when the client asks for it) an RFC 9457 problem
// document; never a stack trace. Refusal codes of steps map to statuses here too.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import { fromProviderError } from '../oidc/errors.ts';
import { hasMessage, pickLocale } from './i18n/index.ts';
import type { Render } from './views.ts';


export function notFound(): RequestHandler {
  return (_req, _res, next) => next(new AppError(404, 'not_found'));
}

/** Any thrown value as an AppError: ours, the provider's, body-parser's, or a 500. */
export function classify(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const provider = fromProviderError(err);
  if (provider) return provider;
  const e = err as { status?: number; type?: string };
  if (e?.type === 'entity.too.large') return new AppError(413, 'payload_too_large', { detail: 'the request body is too large' });
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'invalid_body', { detail: 'the request body is not valid JSON' });
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError(e.status, 'invalid_request');
  return new AppError(500, 'server_error');
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 428: 'Precondition Required', 429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** The RFC 9457 document for an error (a 5xx says nothing but its status). */
export function problemDocument(err: AppError, instance?: string) {
  return {
    type: `urn:flowgate:problem:${err.expose ? err.code : 'server_error'}`,
    title: TITLES[err.status] ?? 'Internal Server Error',
    status: err.status,
    ...(err.expose && err.detail ? { detail: err.detail } : {}),
    ...(err.expose && err.fields.length ? { errors: err.fields } : {}),
    ...(instance ? { instance } : {}),
  };
}

export function sendProblem(res: Response, err: AppError, req?: Request): void {
  res.status(err.status).set('cache-control', 'no-store').set(err.headers).type('application/problem+json')
    .send(JSON.stringify(problemDocument(err, req?.originalUrl.split('?')[0])));
}

const isAdminApi = (req: Request) => req.path === '/admin/api' || req.path.startsWith('/admin/api/');

const wantsProblem = (req: Request) => isAdminApi(req)
  || (req.accepts(['html', 'json']) === 'json' && !req.accepts('html'));

/**
 * The language of a page outside the provider: the one a route already chose (`res.locals.locale`,
 * e.g. the interaction's), else the request's ui_locales, else Accept-Language, else the default.
 */
export function pageLocale(req: Request, res: Response, defaultLocale: string): string {
  if (typeof res.locals.locale === 'string') return res.locals.locale;
  const uiLocales = typeof req.query?.ui_locales === 'string' ? req.query.ui_locales : undefined;
  return pickLocale(uiLocales, req.get('accept-language'), defaultLocale);
}

/** The error page's message: the code's own sentence, or a generic one (a raw key is never shown). */
const pageMessage = (err: AppError) =>
  (hasMessage('en', `error.${err.code}`) ? err.code : err.status >= 500 ? 'server_error' : 'invalid_request');

export function errorHandler(render: Render, log: Logger, defaultLocale: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError = classify(err);
    if (appError.status >= 500) log.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    if (wantsProblem(req)) {
      if (isAdminApi(req)) return sendProblem(res, appError, req);
      res.status(appError.status).set('cache-control', 'no-store').set(appError.headers)
        .json({ error: appError.code === 'oidc' ? appError.detail : appError.code });
      return;
    }
    res.status(appError.status).set('cache-control', 'no-store').set(appError.headers).type('html').send(render('error', {
      locale: pageLocale(req, res, defaultLocale), message: pageMessage(appError), ...(appError.code === 'oidc' ? { code: appError.detail } : {}),
    }));
  };
}

const STEP_STATUS: Record<string, number> = {
  locked: 429, send_held: 429, too_many_codes: 429, too_many_attempts: 429, resend_too_soon: 429,
};
const SEND_STATUS: Record<string, number> = {
  invalid_recipient: 400, rejected: 400, rate_limited: 429, unavailable: 503, invalid_config: 503,
};

/** The status of a page that shows a step's refusal (steps return codes, never statuses). */
export function refusalStatus(refusal: { error: string; reason?: string } | undefined): number {
  if (!refusal) return 200;
  if (refusal.error === 'send_failed') return SEND_STATUS[refusal.reason ?? ''] ?? 503;
  return STEP_STATUS[refusal.error] ?? 400;
}
