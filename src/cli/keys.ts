// `flowgate keys rotate [--signing] [--cookie] [--now]` (both kinds when neither is named): a new
// key of each kind (a signing key is published first and signs after keys.activateAfterSeconds, or
// at once with --now), the replaced one kept until everything it signed has expired (README, "Keys"),
// and `flowgate keys list`: kid, algorithm, state, created, activation and retire times, never
// private material. Running instances pick a rotation up from the store on their next request; audited as `cli`.
import type { CommandSpec } from './args.ts';

// Loaded when a keys command runs (it brings oidc-provider, which on Node 20 warns at load; help and usage errors stay one line).
const keyService = async (...args: Parameters<typeof import('../admin/service/keys.ts').keyService>) => (await import('../admin/service/keys.ts')).keyService(...args);
import { ACTOR, iso, loadSetup, print, table, withStore } from './context.ts';

export const keyCommands: CommandSpec[] = [
  {
    name: 'keys list', summary: 'List the signing and cookie keys: id, algorithm, state, times (never private material)',
    options: {},
    run: async (_values, ctx) => {
      const { runtime, config } = loadSetup();
      const keys = await withStore(runtime, async (store) => (await keyService(store, config)).list());
      print(ctx, keys, () => table([
        ['kind', 'id', 'alg', 'state', 'created', 'activates', 'retires'],
        ...keys.map((k) => [
          k.kind === 'cookie' && config.cookieKeys ? 'cookie (unused: cookieKeys is set in the config file)' : k.kind,
          k.id, k.alg ?? '-', k.state, iso(k.createdAt), iso(k.activatedAt), iso(k.retireAt),
        ]),
      ]));
      return 0;
    },
  },
  {
    name: 'keys rotate', summary: 'Add a new signing and cookie key; the replaced ones keep verifying until they retire',
    details: 'Every running instance picks the new keys up from the store on its next request (no restart). Audited as cli.',
    options: {
      signing: { type: 'boolean', description: 'rotate the signing key only (with --cookie: both)' },
      cookie: { type: 'boolean', description: 'rotate the cookie key only (with --signing: both)' },
      now: { type: 'boolean', description: 'the new signing key signs at once, not after keys.activateAfterSeconds' },
    },
    run: async (values, ctx) => {
      const { runtime, config } = loadSetup();
      const done = await withStore(runtime, async (store) => (await keyService(store, config)).rotate(
        { signing: Boolean(values.signing), cookie: Boolean(values.cookie), now: Boolean(values.now) }, ACTOR));
      print(ctx, done, () => [
        ...done.added.map(({ kind, id, alg, activatedAt, replaced }) => `${kind} key ${id}${alg ? ` (${alg})` : ''} `
          + `${activatedAt > Date.now() ? `is published and signs from ${iso(activatedAt)}` : 'is active'}; `
          + `${replaced ? `the one it replaces (${replaced.id}) retires at ${iso(replaced.retireAt)}` : 'none replaced'}`),
        ...(done.skipped.includes('cookie') ? ['cookie keys: not rotated (cookieKeys is set in the config file: rotate them there)'] : []),
      ].join('\n'));
      return 0;
    },
  },
];
