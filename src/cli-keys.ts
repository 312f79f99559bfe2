// `flowgate keys rotate [--signing] [--cookie] [--now]` (both when neither is named): a new key of
// each kind (a signing key is published first and signs after keys.activateAfterSeconds, or at
// once with --now), the replaced one kept until everything it signed has expired (README, "Keys"), and
// `flowgate keys list`: kid, algorithm, state, created, activation and retire times, never private material.
// Running instances pick a rotation up from the store on their next request; audited as `cli`.
import { parseArgs } from 'node:util';
import { keyService } from './admin/service/keys.ts';
import type { Config } from './config/schema.ts';
import { AppError } from './errors.ts';
import type { Database } from './runtime.ts';
import { openStore } from './store/open.ts';

const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export async function keysCommand(command: string, rest: string[], config: Config, database: Database): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { signing: { type: 'boolean' }, cookie: { type: 'boolean' }, now: { type: 'boolean' } } });
  const store = await openStore(database.databaseUrl, database.postgres, database);
  try {
    const keys = keyService(store, config);
    if (command === 'rotate') {
      const done = await keys.rotate(values, 'cli');
      for (const { kind, id, alg, activatedAt, replaced } of done.added) {
        process.stdout.write(`${kind} key ${id}${alg ? ` (${alg})` : ''} `
          + `${activatedAt > Date.now() ? `is published and signs from ${iso(activatedAt)}` : 'is active'}; `
          + `${replaced ? `the one it replaces (${replaced.id}) retires at ${iso(replaced.retireAt)}` : 'none replaced'}\n`);
      }
      if (done.skipped.includes('cookie')) process.stdout.write('cookie keys: not rotated (cookieKeys is set in the config file: rotate them there)\n');
      return 0;
    }
    const rows = [
      ['kind', 'id', 'alg', 'state', 'created', 'activates', 'retires'],
      ...(await keys.list()).map((k) => [
        k.kind === 'cookie' && config.cookieKeys ? 'cookie (unused: cookieKeys is set in the config file)' : k.kind,
        k.id, k.alg ?? '-', k.state, iso(k.createdAt), iso(k.activatedAt), iso(k.retireAt),
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
    return 0;
  } catch (err) {
    if (err instanceof AppError && err.expose) {
      process.stderr.write(`flowgate: ${err.detail ?? err.code}\n`);
      return 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}
