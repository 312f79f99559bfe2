// The account page's own OIDC client: first-party, created by flowgate itself, and used through
// openid-client like any relying app of this issuer (code + PKCE S256 + state + nonce).
import * as oidc from 'openid-client';
import type { ClientConfig } from '../config/schema.ts';

export const ACCOUNT_CLIENT_ID = 'flowgate-account';
export const ACCOUNT_SCOPE = 'openid phone profile';

export const accountRedirectUri = (issuer: string) => `${issuer}/account/callback`;

/** The client registered with the provider (beside the configured ones). */
export function accountClientConfig(issuer: string, secret: string, appName: string): ClientConfig {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_secret: secret,
    client_name: appName,
    redirect_uris: [accountRedirectUri(issuer)],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code'],
    firstParty: true,
  };
}

/** What the callback checks; kept in the login cookie between the redirect and the callback. */
export interface LoginChecks { verifier: string; state: string; nonce: string }

export function createAccountClient(issuer: string, secret: string) {
  let discovered: Promise<oidc.Configuration> | undefined;
  const options = issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined;
  const configuration = () => (discovered ??= oidc.discovery(new URL(issuer), ACCOUNT_CLIENT_ID, secret, undefined, options)
    .catch((err: unknown) => { discovered = undefined; throw err; }));

  return {
    /** The authorization URL and the checks its callback needs; `extra` adds parameters (flow=…). */
    async start(extra: Record<string, string> = {}): Promise<{ url: string; checks: LoginChecks }> {
      const checks = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      const url = oidc.buildAuthorizationUrl(await configuration(), {
        redirect_uri: accountRedirectUri(issuer), scope: ACCOUNT_SCOPE, state: checks.state, nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier), code_challenge_method: 'S256', ...extra,
      });
      return { url: url.href, checks };
    },

    /** Exchanges the callback's code; returns the signed-in account id. Throws openid-client's errors. */
    async finish(callbackUrl: URL, checks: LoginChecks): Promise<{ sub: string }> {
      const tokens = await oidc.authorizationCodeGrant(await configuration(), callbackUrl, {
        pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce,
      });
      const sub = tokens.claims()?.sub;
      if (!sub) throw new Error('no ID token subject');
      return { sub };
    },
  };
}

export type AccountClient = ReturnType<typeof createAccountClient>;
