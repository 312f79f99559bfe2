// flowgate's own OIDC clients (the account page, the admin console): first-party, created by
// flowgate itself, and used through openid-client like any relying app of this issuer
// (code + PKCE S256 + state + nonce).
import type * as OpenidClient from 'openid-client';

let loaded: Promise<typeof OpenidClient> | undefined;
/** openid-client, loaded on first use (the first sign-in through one of flowgate's own clients), not at start. */
export const openidClient = (): Promise<typeof OpenidClient> => (loaded ??= import('openid-client'));

/** What the callback checks; kept in a short cookie between the redirect and the callback. */
export interface LoginChecks { verifier: string; state: string; nonce: string }

export interface FirstPartyClientOptions {
  issuer: string;
  clientId: string;
  secret: string;
  redirectUri: string;
  scope: string;
  /** Authorization parameters every request carries (`resource`). */
  params?: Record<string, string>;
  /**
   * The algorithm ID tokens are signed with now (the key ring's active key). A discovery read
   * before a rotation to another algorithm lists only the old one, and openid-client refuses an ID
   * token of an algorithm discovery does not list: such a discovery is read again.
   */
  algorithm?: () => string;
}

/** What a finished sign-in gives: the account, and the access token with its expiry (ms since the epoch). */
export interface SignedIn { sub: string; accessToken: string; expiresAt: number }

export function createFirstPartyClient(opts: FirstPartyClientOptions) {
  const { issuer, clientId, secret } = opts;
  let discovered: Promise<OpenidClient.Configuration> | undefined;
  const discover = () => (discovered ??= openidClient().then((oidc) => oidc.discovery(new URL(issuer), clientId, secret, undefined,
    issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined))
    .catch((err: unknown) => { discovered = undefined; throw err; }));
  const configuration = async () => {
    const read = discover();
    const found = await read;
    const alg = opts.algorithm?.();
    const listed = found.serverMetadata().id_token_signing_alg_values_supported;
    if (alg === undefined || !listed || listed.includes(alg)) return found;
    if (discovered === read) discovered = undefined; // once, for every request that found it stale
    return discover();
  };

  return {
    /** The authorization URL and the checks its callback needs; `extra` adds parameters (flow=…). */
    async start(extra: Record<string, string> = {}): Promise<{ url: string; checks: LoginChecks }> {
      const oidc = await openidClient();
      const checks = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      const url = oidc.buildAuthorizationUrl(await configuration(), {
        redirect_uri: opts.redirectUri, scope: opts.scope, state: checks.state, nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier), code_challenge_method: 'S256',
        ...opts.params, ...extra,
      });
      return { url: url.href, checks };
    },

    /** Exchanges the callback's code; returns the signed-in account and the access token. Throws openid-client's errors. */
    async finish(callbackUrl: URL, checks: LoginChecks, now = Date.now()): Promise<SignedIn> {
      const oidc = await openidClient();
      const tokens = await oidc.authorizationCodeGrant(await configuration(), callbackUrl, {
        pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce,
      });
      const sub = tokens.claims()?.sub;
      if (!sub) throw new Error('no ID token subject');
      return { sub, accessToken: tokens.access_token, expiresAt: now + (tokens.expiresIn() ?? 0) * 1000 };
    },
  };
}

export type FirstPartyClient = ReturnType<typeof createFirstPartyClient>;
