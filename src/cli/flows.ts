// The handlers of `flowgate flows list|show|export|import` (options: src/cli/commands.ts): the flows the server serves, from the store (seeded
// from the flow files first, as the server does, so they work before the server has ever run).
// An import creates the flow, or a new version of an admin's flow, audited as `cli`; a running
// server picks it up on its next request.
import { readFileSync } from 'node:fs';
import { flowService, type FlowService } from '../admin/service/flows.ts';
import type { FlowDef, StepDef } from '../flows/model.ts';
import { loadFlows } from '../flows/loader.ts';
import { loadPluginAuthenticators } from '../flows/plugins.ts';
import { builtinAuthenticators } from '../flows/registry.ts';
import { createLive } from '../live/index.ts';
import { seedFromFiles } from '../live/seed.ts';
import { createLogger } from '../log.ts';
import type { Handler } from './args.ts';
import { ACTOR, CliError, iso, loadSetup, print, table, withStore } from './context.ts';

/** Runs with the flow service on the server's store, seeded from the files. */
async function withFlows<T>(run: (flows: FlowService) => Promise<T>): Promise<T> {
  const { runtime, config, configDir } = loadSetup();
  const log = createLogger('silent');
  const registry = builtinAuthenticators();
  await loadPluginAuthenticators(config.authenticators, registry, configDir);
  const files = loadFlows(config.flowsDir, registry);
  return withStore(runtime, async (store) => {
    await seedFromFiles(store, config, files, log, Date.now());
    const live = createLive({ store, registry, log });
    await live.refresh(true);
    return run(flowService({ store, live, registry, now: Date.now }));
  });
}

/** A step tree as indented lines: `- sms  sms-otp  REQUIRED`. */
const stepLines = (steps: StepDef[], depth = 0): string[] => steps.flatMap((s) => [
  `${'  '.repeat(depth + 1)}- ${s.id}  ${s.authenticator ?? '(sub-flow)'}  ${s.requirement}`,
  ...(s.steps ? stepLines(s.steps, depth + 1) : []),
]);

/** Where a flow came from: a flow file, the command line (its first version's actor is `cli`), or the admin API. */
async function originOf(flows: FlowService, f: { id: string; builtIn: boolean }): Promise<'file' | 'cli' | 'admin'> {
  if (f.builtIn) return 'file';
  const first = (await flows.versions(f.id)).reduce((a, b) => (b.version < a.version ? b : a));
  return first.actor === ACTOR ? 'cli' : 'admin';
}

export const list: Handler = (_values, ctx) => withFlows(async (flows) => {
  const all = await Promise.all((await flows.list()).map(async (f) => ({ ...f, origin: await originOf(flows, f) })));
  print(ctx, all, () => table([
    ['id', 'kind', 'version', 'origin', 'bound to', 'updated'],
    ...all.map((f) => [f.id, f.kind, `${f.activeVersion}/${f.latestVersion}`, f.origin, f.boundTo.join(',') || '-', iso(f.updatedAt)]),
  ]));
  return 0;
});

export const show: Handler = (values, ctx) => withFlows(async (flows) => {
  const { document, head } = await flows.read(values.id as string);
  const versions = await flows.versions(values.id as string);
  const d = document as FlowDef;
  print(ctx, { document, head, versions }, () => [
    `flow ${d.id} (${d.kind}${head.builtIn ? ', from a file' : ''}): version ${head.activeVersion} of ${head.latestVersion}`,
    ...(d.description ? [d.description] : []),
    'steps:', ...stepLines(d.steps),
    'versions:', ...table([['version', 'source', 'by', 'created'],
      ...versions.map((v) => [`${v.version}${v.active ? ' (active)' : ''}`, v.source, v.actor, iso(v.createdAt)])]).split('\n').map((l) => `  ${l}`),
  ].join('\n'));
  return 0;
});

export const exportFlow: Handler = (values, ctx) => withFlows(async (flows) => {
  if (ctx.json) print(ctx, (await flows.read(values.id as string)).document, '');
  else process.stdout.write(await flows.exportYaml(values.id as string));
  return 0;
});

export const importFlow: Handler = async (values, ctx) => {
  let text: string;
  try {
    text = readFileSync(values.file as string, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${values.file as string}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return withFlows(async (flows) => {
    const done = await flows.importFlow(text, ACTOR);
    print(ctx, { id: done.document.id, version: done.head.activeVersion, changed: done.changed, head: done.head }, done.changed
      ? `flow '${done.document.id}' is now at version ${done.head.activeVersion}`
      : `flow '${done.document.id}' is unchanged (the file is its version ${done.head.activeVersion} already): no new version`);
    return 0;
  });
};
