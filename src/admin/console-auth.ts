// Sign-in for the admin console (/admin) and the gates of everything under /admin: the console
// signs in through its own OIDC client (flowgate-admin, code + PKCE), keeps the admin API access
// token in a sealed cookie, and checks that token like a bearer token on every request.
//   /admin/api/*  → Authorization: Bearer, else the console cookie (unsafe methods then need the
//                   x-flowgate-csrf header); 401/403 problem documents.
//   /admin/*      → the console cookie: not signed in → 303 to /admin/login; not an admin → 403 page.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { CookieJar } from '../web/cookies.ts';
import type { FirstPartyClient, LoginChecks } from '../web/first-party-client.ts';
import { checkCsrf, formBody, readForm } from '../web/forms.ts';
import { pickLocale } from '../web/i18n/index.ts';
import type { Render } from '../web/views.ts';
import { bearerToken, type AdminActor, type AdminAuth } from './auth.ts';

/** The console session: the admin API access token, until it expires. */
export const SESSION_COOKIE = 'flowgate_admin';
const LOGIN_COOKIE = 'flowgate_admin_login';
const LOGIN_MS = 10 * 60_000;
/** The header a cookie-authenticated unsafe /admin/api request carries (the console's CSRF token). */
export const CSRF_HEADER = 'x-flowgate-csrf';

interface ConsoleSession { token: string; csrf: string; exp: number }

export interface ConsoleAuthDeps {
  issuer: string;
  auth: AdminAuth;
  client: FirstPartyClient;
  /** Sealed, scoped to /admin, Secure when the issuer is https. */
  cookies: CookieJar;
  render: Render;
  defaultLocale: string;
  log: Logger;
  now: () => number;
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** Set by the /admin gates: who is acting. */
    admin?: AdminActor;
    /** The console session's CSRF token (forms: name="csrf"; API calls: the x-flowgate-csrf header). */
    adminCsrf?: string;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createConsoleAuth(deps: ConsoleAuthDeps) {
  const { cookies, now } = deps;
  const session = (req: Request) => cookies.read<ConsoleSession>(req, SESSION_COOKIE, now());

  /** For the console pages: the session's token must still be an admin's. */
  const requireConsoleAdmin: RequestHandler = async (req, res, next) => {
    res.set('cache-control', 'no-store');
    const found = session(req);
    if (!found) return res.redirect(303, `${deps.issuer}/admin/login`);
    try {
      res.locals.admin = await deps.auth.verify(found.token);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.status === 401) {
        cookies.clear(res, SESSION_COOKIE);
        return res.redirect(303, `${deps.issuer}/admin/login`);
      }
      res.status(403).type('html').send(deps.render('admin/forbidden', {
        locale: pickLocale(undefined, req.get('accept-language'), deps.defaultLocale), csrf: found.csrf,
      }));
      return;
    }
    res.locals.adminCsrf = found.csrf;
    next();
  };

  /** For /admin/api: a bearer token, or else the console session (unsafe methods need its CSRF header). */
  const requireAdminApi: RequestHandler = async (req, res, next) => {
    res.set('cache-control', 'no-store');
    const found = req.get('authorization') === undefined ? session(req) : undefined;
    if (!found) return deps.auth.requireAdminToken(req, res, next);
    if (!SAFE.has(req.method) && !same(req.get(CSRF_HEADER) ?? '', found.csrf)) {
      throw new AppError(403, 'csrf', { detail: `A console request that changes something needs the ${CSRF_HEADER} header of the console page` });
    }
    res.locals.admin = await deps.auth.verify(found.token);
    res.locals.adminCsrf = found.csrf;
    next();
  };

  return { requireConsoleAdmin, requireAdminApi };
}

/**
 * /admin/login, /admin/callback and /admin/logout, then the gates: every later /admin/api route
 * sees res.locals.admin (bearer or console session), every later /admin page an admin's session.
 */
export function adminAuthRoutes(deps: ConsoleAuthDeps): Router {
  const { cookies, now } = deps;
  const { requireConsoleAdmin, requireAdminApi } = createConsoleAuth(deps);
  const router = Router();

  router.get('/admin/login', async (_req, res) => {
    res.set('cache-control', 'no-store');
    const { url, checks } = await deps.client.start();
    cookies.write(res, LOGIN_COOKIE, checks, LOGIN_MS, now());
    res.redirect(303, url);
  });

  router.get('/admin/callback', async (req, res) => {
    res.set('cache-control', 'no-store');
    const pending = cookies.read<LoginChecks>(req, LOGIN_COOKIE, now());
    if (!pending) throw new AppError(400, 'session_not_found');
    cookies.clear(res, LOGIN_COOKIE);
    // Built from the issuer, never from the Host header; only the query comes from the request.
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    let signedIn;
    try {
      signedIn = await deps.client.finish(new URL(`${deps.issuer}/admin/callback${query}`), pending, now());
    } catch (err) {
      deps.log.warn({ reason: (err as Error).message }, 'admin console sign-in failed');
      throw new AppError(400, 'admin_signin_failed');
    }
    const ttl = signedIn.expiresAt - now();
    if (ttl <= 0) throw new AppError(400, 'admin_signin_failed');
    cookies.write(res, SESSION_COOKIE, { token: signedIn.accessToken, csrf: randomBytes(24).toString('base64url') }, ttl, now());
    res.redirect(303, `${deps.issuer}/admin`);
  });

  router.post('/admin/logout', formBody, (req, res) => {
    res.set('cache-control', 'no-store');
    const found = cookies.read<ConsoleSession>(req, SESSION_COOKIE, now());
    if (found) checkCsrf(readForm(req.body), found.csrf);
    cookies.clear(res, SESSION_COOKIE);
    res.redirect(303, `${deps.issuer}/`);
  });

  router.use('/admin/api', requireAdminApi);
  router.use('/admin', (req, res, next) => (req.path.startsWith('/api/') || req.path === '/api'
    ? next() : requireConsoleAdmin(req, res, next)));
  return router;
}

