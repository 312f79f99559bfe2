// Relying apps added at run time (`flowgate clients add`): one `client` config document each
// (versioned, audited; its metadata, never its secret) and the secret in the store's secrets
// (`client-secret:<id>`, sealed under FLOWGATE_KEY_ENCRYPTION_KEY). oidc-provider finds them
// through its adapter (src/oidc/adapter.ts) on every request, on every instance: no restart.
// Clients of the config file stay static and win over a stored client of the same id.
import { z } from 'zod';
import { clientSchema, type ClientConfig } from '../config/schema.ts';
import type { Store } from '../store/types.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for a loopback host (http is fine there: the traffic never leaves the machine). */
export const isLoopback = (uri: string): boolean => LOOPBACK.has(URL.parse(uri)?.hostname ?? '');

/**
 * A redirect URI a stored client may have: http(s) only (never javascript:, data: or an app
 * scheme), no fragment, no wildcard host (matched exactly, a `*` would only be a broken client).
 */
const redirectUri = z.string().max(2000).superRefine((value, ctx) => {
  const url = URL.parse(value);
  const problem = !url ? 'not a URL'
    : !['https:', 'http:'].includes(url.protocol) ? 'use an https URL (http only for localhost)'
      : value.includes('#') ? 'a redirect URI has no fragment (#…)'
        : url.hostname.includes('*') ? 'no wildcards: a redirect URI is matched exactly'
          : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: `'${value.slice(0, 80)}': ${problem}` });
});

/** What a stored client's id may be. */
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** A stored client's document: what the file format's client has, minus the secret and the first-party/admin switches. */
export const storedClientSchema = z.object({
  client_id: z.string().regex(CLIENT_ID, 'use letters, digits, dots, dashes and underscores (up to 200)'),
  client_name: z.string().min(1).max(200).optional(),
  redirect_uris: z.array(redirectUri).min(1),
  post_logout_redirect_uris: z.array(redirectUri).default([]),
  /** Has a client secret (kept in the store's secrets); a public client uses PKCE S256 instead. */
  confidential: z.boolean(),
}).strict();
export type StoredClient = z.infer<typeof storedClientSchema>;

export const clientSecretName = (clientId: string) => `client-secret:${clientId}`;

/** The client as the config file would declare it (validated by the same schema). */
export function asClientConfig(doc: StoredClient, secret: string | undefined): ClientConfig {
  const { confidential: _confidential, ...fields } = doc;
  return clientSchema.parse({ ...fields, ...(secret ? { client_secret: secret } : {}) });
}

/** The stored client with this id, with its secret; undefined when there is none (or its secret is gone). */
export async function findStoredClient(store: Store, clientId: string): Promise<ClientConfig | undefined> {
  // Any client_id a request sends comes here: one that no stored client can have is not looked up
  // (PostgreSQL would refuse a NUL in it with an error, and it costs the store nothing).
  if (!CLIENT_ID.test(clientId)) return undefined;
  const doc = await store.config.active('client', clientId);
  if (!doc) return undefined;
  const body = storedClientSchema.parse(doc.body);
  if (!body.confidential) return asClientConfig(body, undefined);
  const secret = await store.secrets.read(clientSecretName(clientId));
  return secret?.value ? asClientConfig(body, secret.value) : undefined;
}
