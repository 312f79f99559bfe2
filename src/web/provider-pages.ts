// Pages oidc-provider renders itself (errors, logout confirmation), drawn with our views, in the
// person's language (ui_locales, then Accept-Language); the logout page names the app. The
// library's error_description is English: the page says what the error code means instead, and
// names the request parameter the description blames (for the app's developer).
import type { PageContext } from '../oidc/provider.ts';
import { pickLocale } from './i18n/index.ts';
import type { Render } from './views.ts';

/** Parameters an error_description may blame, longest first (post_logout_redirect_uri before redirect_uri). */
const PARAMETERS = [
  'post_logout_redirect_uri', 'code_challenge_method', 'authorization_details', 'code_challenge', 'response_mode', 'response_type',
  'redirect_uri', 'id_token_hint', 'request_uri', 'logout_hint', 'login_hint', 'acr_values', 'ui_locales', 'client_id', 'resource',
  'max_age', 'request', 'display', 'claims', 'prompt', 'scope', 'nonce', 'state',
];
const BLAMED = new RegExp(`(?<![a-z_])(${PARAMETERS.join('|')})(?![a-z_])`);

/** The parameter the library's (English) description names, if any. */
export const blamedParameter = (description: string | undefined) => (description ? BLAMED.exec(description)?.[1] : undefined);

export function providerPages(render: Render, defaultLocale: string, appName: string) {
  const localeOf = (ctx: PageContext) => pickLocale(ctx.uiLocales, ctx.acceptLanguage, defaultLocale);
  return {
    error(ctx: PageContext, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      const param = blamedParameter(out.error_description);
      ctx.body = render('error', { locale: localeOf(ctx), message: 'oidc', code: out.error, ...(param ? { param } : {}) });
    },
    unavailable(ctx: PageContext) {
      ctx.type = 'html';
      ctx.body = render('error', { locale: localeOf(ctx), message: 'store_unavailable' });
    },
    logout(ctx: PageContext, form: string) {
      ctx.type = 'html';
      ctx.body = render('logout', { locale: localeOf(ctx), app: ctx.clientName ?? appName, form });
    },
    logoutContinue(ctx: PageContext, form: { action: string; xsrf: string }) {
      ctx.type = 'html';
      ctx.body = render('logout-continue', { locale: localeOf(ctx), ...form });
    },
    loggedOut(ctx: PageContext) {
      ctx.type = 'html';
      ctx.body = render('logged-out', { locale: localeOf(ctx) });
    },
  };
}
