// /admin/api/users…: search, view, disable/enable, unlock, revoke sessions, delete (the account library decides).
import { z } from 'zod';
import type { Accounts, Change } from '../../accounts/index.ts';
import { AppError } from '../../errors.ts';
import type { Store, User } from '../../store/types.ts';
import { route, type ApiRoute } from './define.ts';

/** What the admin sees of an account: never a password hash. */
export const userView = (u: User) => ({
  id: u.id, phone: u.phone, phoneVerified: u.phoneVerified, name: u.name, email: u.email, roles: u.roles,
  disabled: u.disabledAt !== null, disabledAt: u.disabledAt, hasPassword: u.passwordHash !== null, createdAt: u.createdAt,
});

const missing = (id: string) => new AppError(404, 'not_found', { detail: `no account with id '${id}'` });
const changed = (c: Change, id: string) => {
  if (c.kind === 'missing') throw missing(id);
  return { body: { ...userView(c.user), changed: c.kind === 'changed', revoked: c.revoked } };
};

export function userRoutes(store: Store, accounts: Accounts): ApiRoute[] {
  const action = (path: string, summary: string, run: (id: string, actor: string) => Promise<Change>) => route({
    method: 'post', path: `/users/:id/${path}`, tag: 'users', summary, handler: async ({ params, actor }) => changed(await run(params.id!, actor), params.id!),
  });
  return [
    route({
      method: 'get', path: '/users', tag: 'users', summary: 'Search accounts by phone (digits) or name; newest first',
      query: z.object({ q: z.string().max(100).default(''), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      handler: async ({ query }) => {
        const { q, limit } = query as { q: string; limit: number };
        return { body: (await store.users.search(q, limit)).map(userView) };
      },
    }),
    route({
      method: 'get', path: '/users/:id', tag: 'users', summary: 'One account',
      handler: async ({ params }) => {
        const user = await store.users.findById(params.id!);
        if (!user) throw missing(params.id!);
        return { body: userView(user) };
      },
    }),
    action('disable', 'Disable an account (it cannot sign in; its sessions and tokens end)', (id, actor) => accounts.disable(id, { actor })),
    action('enable', 'Enable a disabled account', (id, actor) => accounts.enable(id, { actor })),
    action('revoke-sessions', 'End every session and token of an account', (id, actor) => accounts.revokeSessions(id, { actor })),
    route({
      method: 'post', path: '/users/:id/unlock', tag: 'users', summary: 'Clear the guessing lockout and the number\'s sending caps',
      handler: async ({ params, actor }) => {
        const done = await accounts.unlock({ userId: params.id! }, { actor });
        if (done.kind === 'missing') throw missing(params.id!);
        return { body: { cleared: done.cleared } };
      },
    }),
    route({
      method: 'delete', path: '/users/:id', tag: 'users', summary: 'Delete an account (its sessions and tokens end first)', ok: { status: 204, description: 'deleted' },
      handler: async ({ params, actor }) => {
        const done = await accounts.remove(params.id!, { actor });
        if (done.kind === 'missing') throw missing(params.id!);
        return { status: 204 };
      },
    }),
  ];
}
