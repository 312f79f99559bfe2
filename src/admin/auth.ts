// Who may use the admin API: a bearer JWT access token of this issuer for the admin API's audience
// with the `admin` scope, from an adminApi client (client credentials) or from the console client
// for an account that still is an admin (checked in the store on every request).
import type { RequestHandler } from 'express';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { AppError } from '../errors.ts';
import { ADMIN_CLIENT_ID, ADMIN_SCOPE, adminResource, isAdminUser } from '../oidc/admin-resource.ts';
import type { Store } from '../store/types.ts';

/** Who is acting, as the audit log names them. */
export interface AdminActor { actor: string; kind: 'user' | 'client' }

export interface AdminAuthDeps {
  issuer: string;
  /** Our public signing keys in force (they change with a rotation). */
  jwks: () => { keys: JWK[] };
  store: Store;
  /** The clients with adminApi: true; a client token of any other client is refused. */
  adminClients?: ReadonlySet<string>;
  now?: () => number;
}

const REALM = 'Bearer realm="flowgate-admin"';
const HOW = 'send an access token with the admin scope from the client credentials grant of a client with adminApi: true '
  + '(POST /token with grant_type=client_credentials and scope=admin), or sign in to the console at /admin';

export const unauthorized = (detail: string, tokenGiven: boolean) => new AppError(401, 'unauthorized', {
  detail, headers: { 'WWW-Authenticate': tokenGiven ? `${REALM}, error="invalid_token"` : REALM },
});

export const forbidden = (detail: string) => new AppError(403, 'forbidden', {
  detail, headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${ADMIN_SCOPE}"` },
});

export const NOT_ADMIN = 'This account is not an admin. An admin can grant the role with: flowgate admin grant --phone <number>';

/** The bearer token of an Authorization header; undefined when there is none, an error when it is malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!m || header.length > 8192) throw unauthorized(`The Authorization header is not "Bearer <token>"; ${HOW}.`, true);
  return m[1]!;
}

export function createAdminAuth(deps: AdminAuthDeps) {
  // One verifier per key set: rebuilt only when a rotation changed it.
  let seen: { keys: JWK[] } | undefined;
  let keys!: ReturnType<typeof createLocalJWKSet>;
  let algorithms: string[] = [];
  const verifier = () => {
    const set = deps.jwks();
    if (set !== seen) {
      seen = set;
      keys = createLocalJWKSet({ keys: set.keys });
      algorithms = [...new Set(set.keys.map((k) => k.alg!))];
    }
    return keys;
  };
  const audience = adminResource(deps.issuer);
  const now = deps.now ?? Date.now;

  /** The actor of a token, or an AppError (401: not a valid token for this API; 403: valid, but not an admin). */
  async function verify(token: string): Promise<AdminActor> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, verifier(), {
        issuer: deps.issuer, audience, algorithms, typ: 'at+jwt', currentDate: new Date(now()), requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthorized(`The access token has expired; get a new one: ${HOW}.`, true);
      throw unauthorized(`The access token is not valid for this API (not from this issuer, altered, or for another audience); ${HOW}.`, true);
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : '';
    const sub = payload.sub!;
    if (clientId === ADMIN_CLIENT_ID) {
      // A person signed in through the console: the role counts now, not when the token was issued.
      if (!scopes.includes(ADMIN_SCOPE) || !isAdminUser(await deps.store.users.findById(sub))) throw forbidden(NOT_ADMIN);
      return { actor: `user:${sub}`, kind: 'user' };
    }
    if (sub !== clientId || (deps.adminClients && !deps.adminClients.has(clientId))) {
      throw forbidden(`This token's client may not use the admin API; ${HOW}.`);
    }
    if (!scopes.includes(ADMIN_SCOPE)) throw forbidden(`The access token does not have the admin scope; request scope=admin: ${HOW}.`);
    return { actor: `client:${clientId}`, kind: 'client' };
  }

  /** For /admin/api: the Authorization: Bearer token; sets res.locals.admin. */
  const requireAdminToken: RequestHandler = async (req, res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) throw unauthorized(`This API needs an access token in "Authorization: Bearer <token>"; ${HOW}.`, false);
    res.locals.admin = await verify(token);
    next();
  };

  return { verify, requireAdminToken };
}

export type AdminAuth = ReturnType<typeof createAdminAuth>;
