// The signed-out page speaks the sign-out page's language: the confirmation form carries the page's
// locale as ui_locales (views/logout.hbs), and this adds it to the provider's redirect to
// end_session_success (which forwards client_id only). Register with provider.use.
import type { KoaContextWithOIDC } from 'oidc-provider';

const LOCALES = /^[A-Za-z0-9 -]{1,100}$/;

export function keepLogoutLocale() {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const wanted = (ctx.oidc.body as Record<string, unknown> | undefined)?.ui_locales;
    if (typeof wanted !== 'string' || !LOCALES.test(wanted)) return;
    const location = ctx.response.get('location');
    const success = ctx.oidc.urlFor('end_session_success');
    if (location !== success && !location.startsWith(`${success}?`)) return; // a post_logout_redirect_uri is the app's
    const url = new URL(location);
    url.searchParams.set('ui_locales', wanted);
    ctx.set('location', url.href);
  };
}
