// oidc-provider's errors in our one error model (src/errors.ts), so src/web never imports oidc-provider.
import { errors as oidcErrors, type KoaContextWithOIDC } from 'oidc-provider';
import { AppError } from '../errors.ts';

/** The AppError for one of the provider's errors, or undefined when it is not one. */
export function fromProviderError(err: unknown): AppError | undefined {
  if (err instanceof oidcErrors.SessionNotFound) return new AppError(400, 'session_not_found');
  if (err instanceof oidcErrors.OIDCProviderError) {
    // `oidc` pages show the protocol error code (invalid_request, …) so the app's developer can act on it.
    return err.status < 500 ? new AppError(err.status, 'oidc', { detail: err.error }) : new AppError(500, 'server_error');
  }
  return undefined;
}

/**
 * A store outage under one of the provider's routes (an adapter or account call threw the store's
 * 503): the response becomes a 503 with the error's headers (Retry-After), as on every other route.
 * Says whether it was one. Called from renderError (pages) and the `server_error` event (JSON).
 */
export function storeOutage(ctx: KoaContextWithOIDC, err: unknown): boolean {
  if (!(err instanceof AppError) || err.status !== 503) return false;
  ctx.status = 503;
  ctx.set(err.headers);
  ctx.set('cache-control', 'no-store');
  return true;
}

/**
 * oidc-provider (Koa) answers a path it has no route for with a bare text "Not Found"; this gives
 * it the same 404 page (or JSON error) as every other unknown path. Register with provider.use.
 */
export function providerNotFound(page404: (lang: { uiLocales?: string; acceptLanguage?: string }) => string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null) return;
    if (ctx.accepts(['html', 'json']) === 'json' && !ctx.accepts('html')) ctx.body = { error: 'not_found' };
    else {
      const ui = ctx.query.ui_locales;
      ctx.body = page404({ ...(typeof ui === 'string' ? { uiLocales: ui } : {}), acceptLanguage: ctx.get('accept-language') });
      ctx.type = 'html';
    }
    ctx.status = 404;
    ctx.set('cache-control', 'no-store');
  };
}
