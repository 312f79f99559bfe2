// Client ids flowgate keeps for its own clients: a config file may not use them (the start and
// `config check` refuse it with the same line).
import { ACCOUNT_CLIENT_ID } from '../account/client.ts';
import { ADMIN_CLIENT_ID } from '../oidc/admin-resource.ts';
import type { Config } from './schema.ts';

const OWN_CLIENTS: ReadonlyArray<[id: string, what: string]> = [
  [ACCOUNT_CLIENT_ID, 'account page'],
  [ADMIN_CLIENT_ID, 'admin console'],
];

/** One line per configured client that takes an id of flowgate's own clients. */
export function reservedClientProblems(config: Config): string[] {
  return OWN_CLIENTS
    .filter(([id]) => config.clients.some((c) => c.client_id === id))
    .map(([id, what]) => `clients: client_id '${id}' is flowgate's own ${what} client; choose another id`);
}
