// `flowgate keys rotate [--signing] [--cookie] [--now]` (both when neither is named): a new key of
// each kind (a signing key is published first and signs after keys.activateAfterSeconds, or at
// once with --now), the replaced one kept until everything it signed has expired (README, "Keys"), and
// `flowgate keys list`: kid, algorithm, state, created and retire times, never private material.
// Running instances pick a rotation up from the store on their next request; audited as `cli`.
import { parseArgs } from 'node:util';
import type { Config } from './config/schema.ts';
import { statesOf, type KeyKind } from './oidc/key-ring.ts';
import { keepFor, loadKeyRing, rotateKeys } from './oidc/keys.ts';
import type { Database } from './runtime.ts';
import { openStore } from './store/open.ts';

const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export async function keysCommand(command: string, rest: string[], config: Config, database: Database): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { signing: { type: 'boolean' }, cookie: { type: 'boolean' }, now: { type: 'boolean' } } });
  let kinds: KeyKind[] = values.signing || values.cookie ? [...(values.signing ? ['signing' as const] : []), ...(values.cookie ? ['cookie' as const] : [])] : ['signing', 'cookie'];
  if (command === 'rotate' && config.cookieKeys && kinds.includes('cookie')) {
    // The config file's cookieKeys are used instead of the ring's: rotating the ring's would change nothing.
    if (values.cookie) {
      process.stderr.write('flowgate: cookieKeys is set in the config file, so the cookie keys are rotated there: put a new key first and keep the old one after it\n');
      return 1;
    }
    process.stdout.write('cookie keys: not rotated (cookieKeys is set in the config file: rotate them there)\n');
    kinds = kinds.filter((k) => k !== 'cookie');
  }
  const store = await openStore(database.databaseUrl, database.postgres, database);
  try {
    if (command === 'rotate') {
      const done = await rotateKeys(store, {
        kinds, algorithm: config.keys.algorithm, keepFor: keepFor(config.keys.retireMarginSeconds),
        activateAfter: values.now ? 0 : config.keys.activateAfterSeconds * 1000,
      }, Date.now);
      for (const { kind, id, activatedAt } of done.added) {
        const replaced = done.ring[kind][1];
        process.stdout.write(`${kind} key ${id}${kind === 'signing' ? ` (${config.keys.algorithm})` : ''} `
          + `${activatedAt > Date.now() ? `is published and signs from ${iso(activatedAt)}` : 'is active'}; `
          + `${replaced ? `the one it replaces (${'kid' in replaced ? replaced.kid : replaced.id}) retires at ${iso(replaced.retireAt)}` : 'none replaced'}\n`);
      }
      await store.config.appendAudit({ actor: 'cli', action: 'keys.rotate', target: 'keys', diff: done.added }, Date.now());
      return 0;
    }
    const { ring } = await loadKeyRing(store, config.keys.algorithm, Date.now());
    const now = Date.now();
    const signing = statesOf(ring.signing, now);
    const cookie = statesOf(ring.cookie, now);
    const rows = [
      ['kind', 'id', 'alg', 'state', 'created', 'activates', 'retires'],
      ...ring.signing.map((k, i) => ['signing', k.kid, k.alg, signing[i]!, iso(k.createdAt), iso(k.activatedAt), iso(k.retireAt)]),
      ...ring.cookie.map((k, i) => [`cookie${config.cookieKeys ? ' (unused: cookieKeys is set in the config file)' : ''}`, k.id, '-', cookie[i]!, iso(k.createdAt), iso(k.activatedAt), iso(k.retireAt)]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
    return 0;
  } finally {
    await store.close();
  }
}
