// Pages oidc-provider renders itself (errors, logout confirmation), drawn with our views.
import type { PageContext } from '../oidc/provider.ts';
import type { Render } from './views.ts';

export function providerPages(render: Render, locale: string) {
  return {
    error(ctx: PageContext, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = render('error', { locale, title: 'Error', message: 'oidc', code: out.error, description: out.error_description });
    },
    logout(ctx: PageContext, form: string) {
      ctx.type = 'html';
      ctx.body = render('logout', { locale, title: 'Sign out', host: ctx.host, form });
    },
    loggedOut(ctx: PageContext) {
      ctx.type = 'html';
      ctx.body = render('logged-out', { locale, title: 'Signed out' });
    },
  };
}
