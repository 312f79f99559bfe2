// /admin/api/clients: relying apps added at run time, the same service as `flowgate clients`
// (src/admin/service/clients.ts): list (never a secret; the config file's clients are not listed
// here), add (the generated secret is in this response only), remove. Served by every instance at once.
import { z } from 'zod';
import type { ClientService } from '../service/clients.ts';
import { route, type ApiRoute } from './define.ts';

export function clientRoutes(clients: ClientService): ApiRoute[] {
  return [
    route({
      method: 'get', path: '/clients', tag: 'clients', summary: 'The clients added at run time (never a secret)',
      handler: async () => ({ body: await clients.list() }),
    }),
    route({
      method: 'post', path: '/clients', tag: 'clients', summary: 'Add a client; a confidential one\'s generated client_secret is in this response only',
      body: z.object({
        client_id: z.string().max(200).optional(), client_name: z.string().min(1).max(200), redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
        post_logout_redirect_uris: z.array(z.string().max(2000)).max(20).optional(), public: z.boolean().optional(),
      }).strict(),
      ok: { status: 201, description: 'the client, with client_secret when it is confidential' },
      handler: async ({ body, actor }) => {
        const done = await clients.add(body as Parameters<ClientService['add']>[0], actor);
        return { status: 201, body: { ...done.client, ...(done.secret ? { client_secret: done.secret } : {}) } };
      },
    }),
    route({
      method: 'delete', path: '/clients/:id', tag: 'clients', summary: 'Remove a client added at run time', ok: { status: 204, description: 'removed' },
      handler: async ({ params, actor }) => {
        await clients.remove(params.id!, actor);
        return { status: 204 };
      },
    }),
  ];
}
