// The admin console's own OIDC client (`flowgate-admin`): first-party, created by flowgate
// itself, asking for the admin API resource with the `admin` scope (granted only to admins).
import type { ClientConfig } from '../config/schema.ts';
import { ADMIN_CLIENT_ID, ADMIN_SCOPE, adminResource } from '../oidc/admin-resource.ts';
import { createFirstPartyClient, type FirstPartyClient } from '../web/first-party-client.ts';

export { ADMIN_CLIENT_ID } from '../oidc/admin-resource.ts';

export const adminRedirectUri = (issuer: string) => `${issuer}/admin/callback`;

/** The client registered with the provider (beside the configured ones). */
export function adminClientConfig(issuer: string, secret: string, appName: string): ClientConfig {
  return {
    client_id: ADMIN_CLIENT_ID,
    client_secret: secret,
    client_name: `${appName} admin`,
    redirect_uris: [adminRedirectUri(issuer)],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code'],
    firstParty: true,
    adminApi: false,
  };
}

/** `algorithm`: the active signing key's (a rotation to another algorithm reads discovery again). */
export function createAdminClient(issuer: string, secret: string, algorithm?: () => string): FirstPartyClient {
  return createFirstPartyClient({
    issuer, clientId: ADMIN_CLIENT_ID, secret, redirectUri: adminRedirectUri(issuer),
    scope: `openid ${ADMIN_SCOPE}`, params: { resource: adminResource(issuer) }, ...(algorithm ? { algorithm } : {}),
  });
}
