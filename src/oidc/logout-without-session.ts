// GET /session/end without a signed-in session: oidc-provider answers with its own self-submitting
// form (English, no lang, an inline script). This draws flowgate's page in its place: the same POST
// to end_session_confirm (xsrf, logout=yes), a Continue button, submitted by /assets/app.js, in the
// person's language. Register with provider.use.
import type { KoaContextWithOIDC } from 'oidc-provider';

export interface ContinueForm { action: string; xsrf: string }

export function logoutWithoutSession(draw: (ctx: KoaContextWithOIDC, form: ContinueForm) => void) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    const csp = ctx.response.get('content-security-policy');
    await next();
    if (ctx.oidc?.route !== 'end_session' || ctx.status !== 200) return;
    const session = ctx.oidc.session;
    const xsrf = (session?.state as { secret?: unknown } | undefined)?.secret;
    if (!session || session.accountId || typeof xsrf !== 'string') return;
    // The provider added its inline script's hash to script-src; this page has no inline script.
    if (csp) ctx.set('content-security-policy', csp);
    draw(ctx, { action: ctx.oidc.urlFor('end_session_confirm'), xsrf });
  };
}
