// /account: the signed-in person's account page (name, phone, "Change phone number"). It signs in
// through its own OIDC client; its session is a signed cookie bound to the account's credentials
// (phone and password hash), so a phone change or a password reset ends it on every other device.
// Its language (ui_locales, then Accept-Language) goes to the sign-in as ui_locales and is kept
// in the session, so the account page speaks the language the person signed in with.
import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { FLOW_PARAM } from '../oidc/provider.ts';
import type { Store, User } from '../store/types.ts';
import { AppError } from '../errors.ts';
import { checkCsrf, formBody, readForm } from '../web/forms.ts';
import { pageLocale } from '../web/errors.ts';
import type { Render } from '../web/views.ts';
import type { AccountClient, LoginChecks } from './client.ts';
import type { CookieJar } from '../web/cookies.ts';

const SESSION = 'flowgate.account';
const LOGIN = 'flowgate.account.login';
const SESSION_MS = 30 * 60_000;
const LOGIN_MS = 10 * 60_000;

interface AccountSession { sub: string; stamp: string; csrf: string; notice?: string; locale?: string; exp: number }
interface PendingLogin extends LoginChecks { action?: 'change-phone'; before?: string; locale?: string }

export interface AccountDeps {
  issuer: string;
  store: Store;
  render: Render;
  client: AccountClient;
  cookies: CookieJar;
  defaultLocale: string;
  /** The change-phone flow's id, when one is loaded. */
  /** The `flow=` value that opens the phone change, while a change-phone flow is bound. */
  changePhoneFlow(): string | undefined;
  log: Logger;
  now: () => number;
}

/** Changes whenever the phone or the password does. */
const stampOf = (user: User) => createHash('sha256').update(`${user.phone}\n${user.passwordHash ?? ''}`).digest('base64url').slice(0, 22);

export function accountRoutes(deps: AccountDeps): Router {
  const { cookies, now } = deps;
  const router = Router();
  router.use('/account', (_req, res, next) => { res.set('cache-control', 'no-store'); next(); });

  /** The page's language: ui_locales asked for now, else the one the session signed in with, else Accept-Language. */
  function localeOf(req: Request, res: Response, remembered?: string): string {
    const locale = typeof req.query.ui_locales !== 'string' && remembered ? remembered : pageLocale(req, res, deps.defaultLocale);
    res.locals.locale = locale;
    return locale;
  }

  async function signIn(res: Response, locale: string, extra: Record<string, string> = {}, pending: Omit<PendingLogin, keyof LoginChecks | 'locale'> = {}) {
    const { url, checks } = await deps.client.start({ ...extra, ui_locales: locale });
    cookies.write(res, LOGIN, { ...checks, ...pending, locale }, LOGIN_MS, now());
    res.redirect(303, url);
  }

  /** The page's session and its account, while the account's credentials are those it signed in with. */
  async function current(req: Request) {
    const session = cookies.read<AccountSession>(req, SESSION, now());
    const user = session ? await deps.store.users.findById(session.sub) : undefined;
    return session && user && session.stamp === stampOf(user) ? { session, user } : undefined;
  }

  router.get('/account', async (req, res) => {
    const found = await current(req);
    const locale = localeOf(req, res, found?.session.locale);
    if (!found) return signIn(res, locale);
    const { session, user } = found;
    if (session.notice) {
      const { notice: _shown, exp, ...rest } = session;
      cookies.write(res, SESSION, rest, exp - now(), now());
    }
    res.type('html').send(deps.render('account/index', {
      locale,
      name: user.name, phone: user.phone, csrf: session.csrf, canChangePhone: Boolean(deps.changePhoneFlow()),
      ...(session.notice ? { notice: session.notice } : {}),
    }));
  });

  router.get('/account/callback', async (req, res) => {
    const pending = cookies.read<PendingLogin>(req, LOGIN, now());
    if (!pending) throw new AppError(400, 'session_not_found');
    cookies.clear(res, LOGIN);
    const locale = localeOf(req, res, pending.locale);
    // Built from the issuer, never from the Host header; only the query comes from the request.
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    let sub: string;
    try {
      ({ sub } = await deps.client.finish(new URL(`${deps.issuer}/account/callback${query}`), pending));
    } catch (err) {
      deps.log.warn({ reason: (err as Error).message }, 'account page sign-in failed');
      throw new AppError(400, 'account_signin_failed');
    }
    const user = await deps.store.users.findById(sub);
    if (!user) throw new AppError(400, 'account_signin_failed');
    const changed = pending.action === 'change-phone' && pending.before !== stampOf(user);
    cookies.write(res, SESSION, {
      sub, stamp: stampOf(user), csrf: randomBytes(24).toString('base64url'), locale, ...(changed ? { notice: 'phone_changed' } : {}),
    }, SESSION_MS, now());
    res.redirect(303, `${deps.issuer}/account`);
  });

  router.post('/account/change-phone', formBody, async (req, res) => {
    const found = await current(req);
    const locale = localeOf(req, res, found?.session.locale);
    if (!found) return signIn(res, locale);
    checkCsrf(readForm(req.body), found.session.csrf);
    const changePhone = deps.changePhoneFlow();
    if (!changePhone) throw new AppError(404, 'not_found');
    await signIn(res, locale, { [FLOW_PARAM]: changePhone }, { action: 'change-phone', before: stampOf(found.user) });
  });

  return router;
}
