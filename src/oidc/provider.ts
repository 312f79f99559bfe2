// Builds the oidc-provider instance: our clients, store adapter, keys, claims and policies.
import Provider, { errors, interactionPolicy, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { ClientConfig } from '../config/schema.ts';
import type { Store } from '../store/types.ts';
import { storeOutage } from './errors.ts';
import { createAdapterClass } from './adapter.ts';
import { findStoredClient } from '../live/clients.ts';
import { claimsByScope, createFindAccount } from './accounts.ts';
import { ADMIN_CLIENT_ID, ADMIN_SCOPE, ADMIN_TOKEN_TTL, adminResource, isAdminUser } from './admin-resource.ts';
import { TTL } from './lifetimes.ts';
import { pinToIssuer } from './issuer-origin.ts';
import { logoutWithoutSession, type ContinueForm } from './logout-without-session.ts';
import { corsForPublicClients, ownTokensOnly } from './policies.ts';
import type { JWK } from 'jose';
import type { Algorithm } from './key-ring.ts';

export interface ProviderDeps {
  issuer: string;
  store: Store;
  clients: ClientConfig[];
  /** The key ring's view (src/oidc/key-ring.ts): private JWKs, the active one first. */
  jwks: { keys: JWK[] };
  /** The active key's algorithm: the only one tokens are signed with and discovery lists. */
  algorithm: Algorithm;
  cookieKeys: string[];
  trustProxy: boolean;
  /** Flow ids the `flow` authorization parameter may select (the change-phone flow). */
  selectable?: (name: string) => boolean;
  /** Renders a page for protocol errors and logout screens (src/web owns the views). */
  pages: {
    error(ctx: PageContext, out: { error: string; error_description?: string }): void;
    logout(ctx: PageContext, form: string): void;
    /** GET /session/end without a signed-in session: the form that finishes it (submitted by script, or Continue). */
    logoutContinue(ctx: PageContext, form: ContinueForm): void;
    loggedOut(ctx: PageContext): void;
    /** The store cannot be reached: a temporary problem, try again in a moment. */
    unavailable(ctx: PageContext): void;
  };
}

/** What a page the provider renders may touch of its (Koa) context: src/web never sees the provider's types. */
export interface PageContext {
  type: string;
  body: unknown;
  readonly host: string;
  /** What picks the page's language: the request's ui_locales, then Accept-Language. */
  readonly uiLocales?: string;
  readonly acceptLanguage?: string;
  /** The relying app the request names (end_session with client_id or id_token_hint), if any. */
  readonly clientName?: string;
}

/** The page-facing view of a Koa context (src/web never sees the provider's types). */
function pageContext(ctx: KoaContextWithOIDC): PageContext {
  const params = ctx.oidc?.params as Record<string, unknown> | undefined;
  return {
    set type(v: string) { ctx.type = v; },
    get type() { return ctx.type; },
    set body(v: unknown) { ctx.body = v; },
    get body() { return ctx.body; },
    host: ctx.host,
    // The signed-out page has no ui_locales parameter of its own: src/oidc/logout-locale.ts adds it to the URL.
    ...(typeof params?.ui_locales === 'string' ? { uiLocales: params.ui_locales }
      : typeof ctx.query.ui_locales === 'string' ? { uiLocales: ctx.query.ui_locales } : {}),
    acceptLanguage: ctx.get('accept-language'),
    ...(ctx.oidc?.client?.clientName ? { clientName: ctx.oidc.client.clientName } : {}),
  };
}

export function toClientMetadata(c: ClientConfig) {
  return {
    client_id: c.client_id,
    ...(c.client_secret ? { client_secret: c.client_secret } : {}),
    ...(c.client_name ? { client_name: c.client_name } : {}),
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris,
    grant_types: c.grant_types,
    response_types: c.grant_types.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: c.client_secret ? 'client_secret_basic' : 'none',
  };
}

/** The authorization parameter that selects a flow (`flow=change-phone`), and the check's reason. */
export const FLOW_PARAM = 'flow';
export const FLOW_REASON = 'flow_requested';
/** The login check's reason when the session's account cannot be found (disabled, removed). */
export const ACCOUNT_GONE_REASON = 'account_gone';

/** What an interaction that ran a selected flow adds to its result, so the check is satisfied. */
export const finishedFlowResult = (flowId: string) => ({ flowgate: { finishedFlow: flowId } });

/**
 * The default policy plus a requestable `create` prompt (OpenID "Initiating User Registration"),
 * and login checks: a session whose account is disabled or removed signs in again; a request with `flow=<selectable flow>` always shows the login prompt until
 * an interaction has run that flow (even with a session, as prompt=login would).
 */
function policy(selectable: (name: string) => boolean) {
  const prompts = interactionPolicy.base();
  prompts.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);
  prompts.get('login')!.checks.add(new interactionPolicy.Check(FLOW_REASON, 'the requested flow has not run', 'login_required', (ctx) => {
    const wanted = ctx.oidc.params?.[FLOW_PARAM];
    if (typeof wanted !== 'string' || !selectable(wanted)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    const finished = (ctx.oidc.result as { flowgate?: { finishedFlow?: string } } | undefined)?.flowgate?.finishedFlow;
    return finished === wanted ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
  }));
  // A session whose account findAccount no longer returns (disabled or removed): sign in again.
  prompts.get('login')!.checks.add(new interactionPolicy.Check(ACCOUNT_GONE_REASON, 'the session\'s account is disabled or gone', 'login_required', (ctx) =>
    ctx.oidc.session?.accountId && !ctx.oidc.account ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT));
  return prompts;
}

/** A client credentials request at the token endpoint (the only way an adminApi client gets the admin scope). */
const isClientCredentials = (ctx: KoaContextWithOIDC) => ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';

export function createProvider(deps: ProviderDeps): Provider {
  const firstParty = new Set(deps.clients.filter((c) => c.firstParty).map((c) => c.client_id));
  const adminApiClients = new Set(deps.clients.filter((c) => c.adminApi).map((c) => c.client_id));
  const adminApi = adminResource(deps.issuer);

  const configuration: Configuration = {
    adapter: createAdapterClass(deps.store, async (id) => {
      const stored = await findStoredClient(deps.store, id);
      return stored && (toClientMetadata(stored) as AdapterPayload);
    }),
    clients: deps.clients.map(toClientMetadata) as Configuration['clients'],
    findAccount: createFindAccount(deps.store),
    jwks: deps.jwks as Configuration['jwks'],
    // Only the active key's algorithm: a client can get no token that a retiring key would sign.
    enabledJWA: {
      idTokenSigningAlgValues: [deps.algorithm], userinfoSigningAlgValues: [deps.algorithm],
      introspectionSigningAlgValues: [deps.algorithm], authorizationSigningAlgValues: [deps.algorithm],
    },
    clientDefaults: {
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: deps.algorithm,
    },
    cookies: {
      keys: deps.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    scopes: ['openid', 'offline_access', ...Object.keys(claimsByScope).filter((s) => s !== 'openid')],
    claims: claimsByScope as unknown as Configuration['claims'],
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      // A client introspects and revokes its own tokens only (src/oidc/policies.ts).
      revocation: { enabled: true, allowedPolicy: ownTokensOnly },
      introspection: { enabled: true, allowedPolicy: ownTokensOnly },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      // One resource server: the admin API. Its tokens are JWTs for its audience with the `admin`
      // scope; adminApi clients get them by client credentials (the resource defaults to it),
      // the console client by authorization code for an admin (see loadExistingGrant).
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf;
          return client && adminApiClients.has(client.clientId) && isClientCredentials(ctx) ? adminApi : undefined;
        },
        // The console's code carries the admin resource; its token is for that resource.
        async useGrantedResource(ctx) { return ctx.oidc.client?.clientId === ADMIN_CLIENT_ID; },
        async getResourceServerInfo(ctx, indicator, client) {
          if (indicator !== adminApi) throw new errors.InvalidTarget(`unknown resource; this server has one: ${adminApi}`);
          const allowed = isClientCredentials(ctx) ? adminApiClients.has(client.clientId) : client.clientId === ADMIN_CLIENT_ID;
          if (!allowed) throw new errors.InvalidTarget('this client may not get admin API tokens; an admin API client needs adminApi: true and the client credentials grant');
          return {
            scope: ADMIN_SCOPE, audience: adminApi, accessTokenTTL: ADMIN_TOKEN_TTL,
            accessTokenFormat: 'jwt', jwt: { sign: { alg: deps.algorithm } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) { deps.pages.logout(pageContext(ctx), form); },
        async postLogoutSuccessSource(ctx) { deps.pages.loggedOut(pageContext(ctx)); },
      },
    },
    // CORS only for public clients, from their redirect URIs' origins (src/oidc/policies.ts).
    clientBasedCORS: corsForPublicClients(deps.issuer),
    interactions: { policy: policy(deps.selectable ?? (() => false)) },
    extraParams: [FLOW_PARAM],
    discovery: { prompt_values_supported: ['none', 'login', 'consent', 'create'] },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    async loadExistingGrant(ctx) {
      const { client, session, params, result } = ctx.oidc;
      if (!client || !session) return undefined;
      const grantId = (result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (firstParty.has(client.clientId) && session.accountId) {
        const requested = String(params?.scope ?? 'openid').split(' ');
        const granted = new Set(grant?.getOIDCScope().split(' '));
        if (!grant || requested.some((s) => !granted.has(s))) {
          grant ??= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
          grant.addOIDCScope(requested.join(' '));
          await grant.save();
        }
      }
      // The console's grant holds the admin scope exactly while the account is an admin (checked
      // at every authorization; the admin API checks the role again on every request).
      if (grant && client.clientId === ADMIN_CLIENT_ID && session.accountId) {
        if (grant.resources) delete grant.resources[adminApi];
        if (grant.rejected?.resources) delete grant.rejected.resources[adminApi];
        if (isAdminUser(await deps.store.users.findById(session.accountId))) grant.addResourceScope(adminApi, ADMIN_SCOPE);
        else grant.rejectResourceScope(adminApi, ADMIN_SCOPE);
        await grant.save();
      }
      return grant;
    },
    async renderError(ctx, out, err) {
      if (storeOutage(ctx, err)) deps.pages.unavailable(pageContext(ctx));
      else deps.pages.error(pageContext(ctx), out as { error: string; error_description?: string });
    },
    ttl: {
      AuthorizationCode: TTL.AuthorizationCode,
      Interaction: TTL.Interaction,
      Session: TTL.Session,
      Grant: TTL.Grant,
      IdToken: TTL.IdToken,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.AccessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.ClientCredentials,
      RefreshToken: TTL.RefreshToken,
    },
    rotateRefreshToken: true,
  };

  const provider = new Provider(deps.issuer, configuration);
  // JSON answers (token, userinfo, …) to a store outage: 503 with Retry-After (pages are handled in renderError).
  provider.on('server_error', (ctx: KoaContextWithOIDC, err: unknown) => { storeOutage(ctx, err); });
  // Only the client IP comes from X-Forwarded-For, and only its last entry (the one proxy's, as
  // express's `trust proxy` 1); URLs and Secure come from the issuer.
  provider.proxy = deps.trustProxy;
  provider.maxIpsCount = 1;
  pinToIssuer(provider, deps.issuer);
  provider.use(logoutWithoutSession((ctx, form) => deps.pages.logoutContinue(pageContext(ctx), form)));
  return provider;
}

/** True when the consent prompt for this client may be answered without asking. */
export function isFirstParty(clients: ClientConfig[], clientId: string): boolean {
  return clients.some((c) => c.client_id === clientId && c.firstParty);
}
