// `flowgate flows export --id <flow>` (the active version as a flows/*.yaml file, on stdout) and
// `flowgate flows import --file <path>` (creates the flow, or a new version of an admin's flow;
// audited with the actor `cli`). The store is seeded from the files first, as the server does,
// so both work before the server has ever run. A running server picks an import up on its next request.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { flowService } from './admin/service/flows.ts';
import type { Config } from './config/schema.ts';
import { AppError } from './errors.ts';
import { loadFlows } from './flows/loader.ts';
import { loadPluginAuthenticators } from './flows/plugins.ts';
import { builtinAuthenticators } from './flows/registry.ts';
import { createLive } from './live/index.ts';
import { seedFromFiles } from './live/seed.ts';
import { createLogger } from './log.ts';
import type { Database } from './runtime.ts';
import { openStore } from './store/open.ts';

export async function flowsCommand(command: string, rest: string[], config: Config, database: Database, configFile: string | undefined): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { id: { type: 'string' }, file: { type: 'string' } } });
  if (command === 'export' && !values.id) return fail('--id is required', 2);
  if (command === 'import' && !values.file) return fail('--file is required', 2);
  let text = '';
  if (values.file) {
    try {
      text = readFileSync(values.file, 'utf8');
    } catch (err) {
      return fail(`cannot read ${values.file}: ${(err as Error).message}`, 2);
    }
  }
  const log = createLogger('silent');
  const registry = builtinAuthenticators();
  await loadPluginAuthenticators(config.authenticators, registry, configFile ? dirname(configFile) : process.cwd());
  const store = await openStore(database.databaseUrl, database.postgres, database);
  try {
    await seedFromFiles(store, config, loadFlows(config.flowsDir, registry), log, Date.now());
    const live = createLive({ store, registry, log });
    await live.refresh(true);
    const flows = flowService({ store, live, registry, now: Date.now });
    if (command === 'export') {
      process.stdout.write(await flows.exportYaml(values.id!));
      return 0;
    }
    const done = await flows.importFlow(text, 'cli');
    process.stdout.write(`flow '${done.document.id}' is now at version ${done.head.activeVersion}\n`);
    return 0;
  } catch (err) {
    if (err instanceof AppError && err.expose) {
      const fields = err.fields.map((f) => `\n  ${f.pointer || '(document)'}: ${f.detail}`).join('');
      return fail(`${err.detail ?? err.code}${fields}`, 1);
    }
    throw err;
  } finally {
    await store.close();
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`flowgate: ${message}\n`);
  return code;
}
