// Security headers for every response: CSP without inline script, no framing, no sniffing.
import type { RequestHandler } from 'express';

const csp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  // form-action is left out on purpose: the code page's POST ends in a 303 to the relying
  // app's redirect_uri, and browsers apply form-action to that redirect.
].join('; ');

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'content-security-policy': csp,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
    next();
  };
}
