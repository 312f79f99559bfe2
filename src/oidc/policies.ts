// oidc-provider's policies, chosen on purpose (its defaults print "you SHOULD change it"):
// - introspection and revocation: a client may introspect or revoke only the tokens issued to it;
//   another client's token is answered as an unknown one (inactive; revocation's plain 200), so a
//   client cannot learn whether someone else's token exists.
// - CORS at the token, userinfo, introspection and revocation endpoints: only for public clients
//   (browser apps, PKCE), only from the origin of one of their redirect URIs. A confidential
//   client's secret belongs on a server, which needs no CORS. Discovery and JWKS stay open to all.
import type { Client, KoaContextWithOIDC } from 'oidc-provider';

/** For `features.introspection.allowedPolicy` and `features.revocation.allowedPolicy`. */
export function ownTokensOnly(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string | undefined }): boolean {
  return token.clientId === client.clientId;
}

const originOf = (uri: string): string | undefined => {
  try { return new URL(uri).origin; } catch { return undefined; }
};

/** For `clientBasedCORS`: a public client, from one of its redirect URIs' origins (or the issuer's own pages). */
export function corsForPublicClients(issuer: string): (ctx: KoaContextWithOIDC, origin: string, client: Client) => boolean {
  const own = originOf(issuer);
  return (_ctx, origin, client) => {
    if (!origin || origin === 'null') return false;
    if (origin === own) return true;
    if (client.clientAuthMethod !== 'none') return false;
    return (client.redirectUris ?? []).some((uri) => originOf(uri) === origin);
  };
}
