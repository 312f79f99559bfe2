// Security headers for every response: CSP without inline script, no framing, no sniffing, no
// caching unless a route says otherwise (static assets do), HSTS when the issuer is https.
import type { RequestHandler } from 'express';

/** The policy; `imgSources` are exact image URLs from the config (branding.logo/favicon), nothing wider. */
function contentSecurityPolicy(imgSources: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data:", ...imgSources].join(' '),
    "connect-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    // form-action is left out on purpose: the code page's POST ends in a 303 to the relying
    // app's redirect_uri, and browsers apply form-action to that redirect.
  ].join('; ');
}

export interface SecurityHeaderOptions {
  /** The issuer is https: browsers are told to use nothing else for a year, subdomains included. */
  https: boolean;
  /** Image URLs of another origin the pages show (the brand's logo or favicon URL). */
  imgSources?: readonly string[];
}

export function securityHeaders(opts: SecurityHeaderOptions): RequestHandler {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(opts.imgSources ?? []),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    // Pages carry codes, tokens and CSRF tokens; express.static replaces this for /assets.
    'cache-control': 'no-store',
    ...(opts.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
