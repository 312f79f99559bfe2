// Relying apps added at run time (the CLI's `clients list|add|remove`, /admin/api/clients): stored as `client` documents with their secret in the store's secrets
// (src/live/clients.ts), audited with the actor. A generated secret is returned once, by add only.
import { randomBytes } from 'node:crypto';
import { ACCOUNT_CLIENT_ID } from '../../account/client.ts';
import { AppError } from '../../errors.ts';
import { DEMO_CLIENT_ID } from '../../demo/client-id.ts';
import { ADMIN_CLIENT_ID } from '../../oidc/admin-resource.ts';
import { clientSecretName, isLoopback, storedClientSchema, type StoredClient } from '../../live/clients.ts';
import type { Store } from '../../store/types.ts';
import { writeDocument } from './documents.ts';

export interface NewClient {
  client_id?: string;
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** No secret: a browser or mobile app (PKCE S256 required). */
  public?: boolean;
}

/** What is shown of a client: never its secret. */
export interface ClientView {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  public: boolean;
  /** `config`: declared in the config file (static); `store`: added at run time. */
  source: 'config' | 'store';
  updatedAt?: number;
}

/** A client id made from a name: `Team Portal` → `team-portal`. */
export const idFromName = (name: string) =>
  name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'client';

const view = (doc: StoredClient, updatedAt: number): ClientView => ({
  client_id: doc.client_id, ...(doc.client_name ? { client_name: doc.client_name } : {}), redirect_uris: doc.redirect_uris,
  post_logout_redirect_uris: doc.post_logout_redirect_uris, public: !doc.confidential, source: 'store', updatedAt,
});

/**
 * `configClients`: the config file's clients; their ids, flowgate's own and the demo app's are not the store's to give.
 * `production`: redirect URIs must be https (http only on a loopback host).
 */
export function clientService(store: Store, configClients: ReadonlyArray<{ client_id: string }>, now: () => number = Date.now, opts: { production?: boolean } = {}) {
  const reserved = new Set([ACCOUNT_CLIENT_ID, ADMIN_CLIENT_ID, DEMO_CLIENT_ID, ...configClients.map((c) => c.client_id)]);
  const what = (id: string) => `client '${id}'`;

  /** Blanks a stored secret (a removed client's secret never authenticates a later client of the same id). */
  async function writeSecret(id: string, value: string): Promise<void> {
    for (;;) {
      const current = await store.secrets.read(clientSecretName(id));
      if (await store.secrets.write(clientSecretName(id), value, current?.rev ?? null) !== undefined) return;
    }
  }

  return {
    async list(): Promise<ClientView[]> {
      const out: ClientView[] = [];
      for (const head of await store.config.heads('client')) {
        const doc = await store.config.active('client', head.id);
        if (doc) out.push(view(storedClientSchema.parse(doc.body), head.updatedAt));
      }
      return out;
    },

    async add(input: NewClient, actor: string): Promise<{ client: ClientView; secret?: string }> {
      const parsed = storedClientSchema.safeParse({
        client_id: input.client_id ?? idFromName(input.client_name), client_name: input.client_name, redirect_uris: input.redirect_uris,
        post_logout_redirect_uris: input.post_logout_redirect_uris ?? [], confidential: !input.public,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new AppError(400, 'invalid_client', { detail: `${issue.path.join('.') || 'client'}: ${issue.message}` });
      }
      const doc = parsed.data;
      const plain = opts.production ? [...doc.redirect_uris, ...doc.post_logout_redirect_uris].find((u) => u.startsWith('http:') && !isLoopback(u)) : undefined;
      if (plain) throw new AppError(400, 'invalid_client', { detail: `'${plain.slice(0, 80)}': use https (NODE_ENV=production; http only for localhost)` });
      if (reserved.has(doc.client_id)) throw new AppError(409, 'exists', { detail: `${what(doc.client_id)} is taken (the config file or flowgate itself has it); choose another id` });
      // A removed client leaves its blanked secret behind. Its id is not given again: the refresh
      // tokens and consents people gave the removed app are stored under it and would serve the new one.
      if ((await store.secrets.read(clientSecretName(doc.client_id)))?.value === '') {
        throw new AppError(409, 'exists', { detail: `${what(doc.client_id)} was removed; the grants and refresh tokens issued to it may still be stored, so its id is not given to another client; choose another id` });
      }
      // The document write is the exclusive step (it must not exist); the secret is then this client's.
      const head = await writeDocument(store, now, {
        kind: 'client', id: doc.client_id, body: doc, before: null, expectRev: null, actor, action: 'client.create', what: what(doc.client_id),
      });
      if (!doc.confidential) return { client: view(doc, head.updatedAt) };
      const secret = randomBytes(32).toString('base64url');
      await writeSecret(doc.client_id, secret);
      return { client: view(doc, head.updatedAt), secret };
    },

    async remove(id: string, actor: string): Promise<void> {
      const head = await store.config.head('client', id);
      if (!head) throw new AppError(404, 'not_found', { detail: `${what(id)} does not exist${reserved.has(id) ? ' in the store (it is in the config file: remove it there)' : ''}` });
      await writeSecret(id, ''); // first: from now on it cannot authenticate, even if the removal below fails
      const done = await store.config.remove('client', id, head.rev, { actor, action: 'client.delete', target: `client:${id}`, diff: [] }, now());
      if (!done.ok) throw new AppError(409, 'stale', { detail: `${what(id)} changed meanwhile; try again` });
    },
  };
}

export type ClientService = ReturnType<typeof clientService>;
