// The account page's own OIDC client: first-party, created by flowgate itself (src/web/first-party-client.ts).
import type { ClientConfig } from '../config/schema.ts';
import { createFirstPartyClient, type FirstPartyClient } from '../web/first-party-client.ts';

export type { LoginChecks } from '../web/first-party-client.ts';

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
    adminApi: false,
  };
}

/** `algorithm`: the active signing key's (a rotation to another algorithm reads discovery again). */
export function createAccountClient(issuer: string, secret: string, algorithm?: () => string): FirstPartyClient {
  return createFirstPartyClient({ issuer, clientId: ACCOUNT_CLIENT_ID, secret, redirectUri: accountRedirectUri(issuer), scope: ACCOUNT_SCOPE, ...(algorithm ? { algorithm } : {}) });
}

export type AccountClient = FirstPartyClient;
