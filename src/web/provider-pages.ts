// Pages oidc-provider renders itself (errors, logout confirmation), drawn with our views, in the
// person's language (ui_locales, then Accept-Language); the logout page names the app. The
// library's error_description is English: the page says what the error code means instead.
import type { PageContext } from '../oidc/provider.ts';
import { pickLocale } from './i18n/index.ts';
import type { Render } from './views.ts';

export function providerPages(render: Render, defaultLocale: string, appName: string) {
  const localeOf = (ctx: PageContext) => pickLocale(ctx.uiLocales, ctx.acceptLanguage, defaultLocale);
  return {
    error(ctx: PageContext, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = render('error', { locale: localeOf(ctx), message: 'oidc', code: out.error });
    },
    logout(ctx: PageContext, form: string) {
      ctx.type = 'html';
      ctx.body = render('logout', { locale: localeOf(ctx), app: ctx.clientName ?? appName, form });
    },
    loggedOut(ctx: PageContext) {
      ctx.type = 'html';
      ctx.body = render('logged-out', { locale: localeOf(ctx) });
    },
  };
}
