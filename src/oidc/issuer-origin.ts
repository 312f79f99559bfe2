// oidc-provider builds every URL it prints (discovery, redirects, form actions, the logout page)
// and decides cookies' Secure flag from its Koa request's protocol and host, which Koa reads from
// the Host and X-Forwarded-* headers. Pin both to the issuer's on the provider's own request
// prototype (Koa's documented extension point, `app.request`), so no request header or
// absolute-form request target changes a URL, and cookies are Secure whenever the issuer is https.
import type Provider from 'oidc-provider';

export function pinToIssuer(provider: Provider, issuer: string): void {
  const { protocol, host, origin } = new URL(issuer);
  const scheme = protocol.slice(0, -1);
  Object.defineProperties(provider.request, {
    protocol: { configurable: true, get: () => scheme },
    host: { configurable: true, get: () => host },
    // Koa's href returns an absolute-form target (`GET http://evil.example/x`) as it came.
    href: { configurable: true, get(this: { path: string; search: string }) { return `${origin}${this.path}${this.search}`; } },
    URL: { configurable: true, get(this: { href: string }) { return new URL(this.href); } },
  });
}
