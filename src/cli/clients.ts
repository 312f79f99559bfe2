// The handlers of `flowgate clients list|add|remove` (options: src/cli/commands.ts): relying apps. The config file's clients are listed beside
// the ones added here, which live in the store (src/live/clients.ts) and are served by every
// running instance at once. A generated secret is printed once, by add, and never again.
import { clientService, type ClientView } from '../admin/service/clients.ts';
import type { Config } from '../config/schema.ts';
import type { Handler } from './args.ts';
import { ACTOR, iso, loadSetup, print, table, withStore } from './context.ts';

const fromConfig = (config: Config): ClientView[] => config.clients.map((c) => ({
  client_id: c.client_id, ...(c.client_name ? { client_name: c.client_name } : {}), redirect_uris: c.redirect_uris,
  post_logout_redirect_uris: c.post_logout_redirect_uris, public: !c.client_secret, source: 'config',
}));

export const list: Handler = async (_values, ctx) => {
  const { runtime, config } = loadSetup();
  const stored = await withStore(runtime, (store) => clientService(store, config.clients, Date.now, { production: runtime.production }).list());
  const all = [...fromConfig(config), ...stored];
  print(ctx, all, () => (all.length ? table([
    ['client_id', 'name', 'type', 'source', 'redirect URIs', 'updated'],
    ...all.map((c) => [c.client_id, c.client_name ?? '-', c.public ? 'public' : 'confidential', c.source, c.redirect_uris.join(' '), iso(c.updatedAt)]),
  ]) : 'no clients (the demo client serves while there are none in the config file)'));
  return 0;
};

export const add: Handler = async (values, ctx) => {
  const { runtime, config } = loadSetup();
  const done = await withStore(runtime, (store) => clientService(store, config.clients, Date.now, { production: runtime.production }).add({
    client_name: values.name as string, redirect_uris: values['redirect-uri'] as string[],
    post_logout_redirect_uris: (values['post-logout-redirect-uri'] as string[] | undefined) ?? [],
    ...(values.id !== undefined ? { client_id: values.id as string } : {}), public: Boolean(values.public),
  }, ACTOR));
  print(ctx, { ...done.client, ...(done.secret ? { client_secret: done.secret } : {}) }, [
    `added ${done.client.public ? 'public' : 'confidential'} client ${done.client.client_id}`,
    ...(done.secret ? [`client_secret: ${done.secret}`, '(shown this once: keep it in the app\'s secret store)'] : []),
  ].join('\n'));
  return 0;
};

export const remove: Handler = async (values, ctx) => {
  const { runtime, config } = loadSetup();
  await withStore(runtime, (store) => clientService(store, config.clients, Date.now, { production: runtime.production }).remove(values.id as string, ACTOR));
  print(ctx, { client_id: values.id, removed: true }, `removed client ${values.id as string}`);
  return 0;
};
