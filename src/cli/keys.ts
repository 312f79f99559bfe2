// The handlers of `flowgate keys list|rotate` (options: src/cli/commands.ts): the key ring's rows
// (never private material), and a rotation: a new key of each kind asked (a signing key published
// first, signing after keys.activateAfterSeconds or at once with --now), the replaced one kept
// until what it signed has expired (README, "Keys"). Running instances pick a rotation up from the
// store on their next request; audited as `cli`.
import { keyService } from '../admin/service/keys.ts';
import type { Handler } from './args.ts';
import { ACTOR, iso, loadSetup, print, table, withStore } from './context.ts';

export const list: Handler = async (_values, ctx) => {
  const { runtime, config } = loadSetup();
  const keys = await withStore(runtime, (store) => keyService(store, config).list());
  print(ctx, keys, () => (!keys.length ? 'no keys yet (the server makes them at first start)' : table([
    ['kind', 'id', 'alg', 'state', 'created', 'activates', 'retires'],
    ...keys.map((k) => [
      k.kind === 'cookie' && config.cookieKeys ? 'cookie (unused: cookieKeys is set in the config file)' : k.kind,
      k.id, k.alg ?? '-', k.state, iso(k.createdAt), iso(k.activatedAt), iso(k.retireAt),
    ]),
  ])));
  return 0;
};

export const rotate: Handler = async (values, ctx) => {
  const { runtime, config } = loadSetup();
  const done = await withStore(runtime, (store) => keyService(store, config).rotate(
    { signing: Boolean(values.signing), cookie: Boolean(values.cookie), now: Boolean(values.now) }, ACTOR));
  print(ctx, done, () => [
    ...done.added.map(({ kind, id, alg, activatedAt, replaced }) => `${kind} key ${id}${alg ? ` (${alg})` : ''} `
      + `${activatedAt > Date.now() ? `is published and signs from ${iso(activatedAt)}` : 'is active'}; `
      + `${replaced ? `the one it replaces (${replaced.id}) retires at ${iso(replaced.retireAt)}` : 'none replaced'}`),
    ...(done.skipped.includes('cookie') ? ['cookie keys: not rotated (cookieKeys is set in the config file: rotate them there)'] : []),
  ].join('\n'));
  return 0;
};
