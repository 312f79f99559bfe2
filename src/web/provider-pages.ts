// Pages oidc-provider renders itself (errors, logout confirmation), drawn with our views.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Render } from './views.ts';

export function providerPages(render: Render, locale: string) {
  return {
    error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = render('error', { locale, title: 'Error', message: 'oidc', code: out.error, description: out.error_description });
    },
    logout(ctx: KoaContextWithOIDC, form: string) {
      ctx.type = 'html';
      ctx.body = render('logout', { locale, title: 'Sign out', host: ctx.host, form });
    },
    loggedOut(ctx: KoaContextWithOIDC) {
      ctx.type = 'html';
      ctx.body = render('logged-out', { locale, title: 'Signed out' });
    },
  };
}
