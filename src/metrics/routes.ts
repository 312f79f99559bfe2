// The route label of a request: a small fixed set of patterns (`/interaction/:uid`, `/token`, …),
// never the raw path, so no uid, phone number or other input can become a label. Unknown → `other`.

const EXACT = new Set([
  '/', '/health', '/healthz', '/readyz', '/metrics', '/favicon.ico',
  '/auth', '/token', '/me', '/jwks', '/request', '/.well-known/openid-configuration',
  '/token/introspection', '/token/revocation', '/session/end', '/session/end/confirm', '/session/end/success',
  '/sms/status/twilio', '/sms/status/messagebird', '/demo/login', '/demo/callback',
]);
const INTERACTION_ACTIONS = new Set(['sms-status', 'restart', 'choose', 'consent']);
/** Whole areas counted as one route each (their own paths carry ids). */
const AREAS = ['/admin/api', '/admin', '/account', '/assets'];

export function routeOf(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (EXACT.has(path)) return path;
  const parts = path.split('/'); // ['', 'interaction', uid, …]
  if (parts[1] === 'interaction' && parts[2]) {
    if (parts.length === 3) return '/interaction/:uid';
    if (parts.length === 4 && INTERACTION_ACTIONS.has(parts[3]!)) return `/interaction/:uid/${parts[3]}`;
    if (parts.length === 5 && parts[3] === 'steps' && parts[4]) return '/interaction/:uid/steps/:stepId';
    if (parts.length === 5 && parts[3] === 'flow' && parts[4]) return '/interaction/:uid/flow/:flowId';
    return 'other';
  }
  if (parts[1] === 'auth' && parts.length === 3 && parts[2]) return '/auth/:uid';
  for (const area of AREAS) if (path === area || path.startsWith(`${area}/`)) return area;
  return 'other';
}
