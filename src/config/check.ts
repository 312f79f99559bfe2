// `flowgate config check`: every problem a start would refuse, collected at once rather than
// stopping at the first: the environment, the config file, the flows (each file of flowsDir),
// the authenticator plugins, branding and template overrides. Reuses the loaders the server runs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ACCOUNT_CLIENT_ID } from '../account/client.ts';
import { createBrand } from '../branding/index.ts';
import { loadFlowText, type LoadedFlow } from '../flows/loader.ts';
import { loadPluginAuthenticators } from '../flows/plugins.ts';
import { builtinAuthenticators } from '../flows/registry.ts';
import { ADMIN_CLIENT_ID } from '../oidc/admin-resource.ts';
import { runtimeFromEnv } from '../runtime.ts';
import { createViews } from '../web/views.ts';
import { checkForEnvironment, loadConfigFile } from './load.ts';
import type { Config } from './schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CheckSummary {
  file: string;
  clients: number;
  connectors: string[];
  flows: string[];
  signInFlow: string;
}

export interface CheckResult { problems: string[]; summary?: CheckSummary }

/** Runs `fn`; a thrown error's lines become problems. */
function collect<T>(problems: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    problems.push(...String((err as Error).message ?? err).split('\n').filter((l) => l.trim()));
    return undefined;
  }
}

/** The flowsDir a config that does not validate names (so its flows are checked too), else the default. */
function rawFlowsDir(file: string | undefined): string {
  try {
    const raw = file ? parse(readFileSync(file, 'utf8')) as { flowsDir?: unknown } | null : null;
    return typeof raw?.flowsDir === 'string' ? raw.flowsDir : './flows';
  } catch {
    return './flows';
  }
}

/** Checks the config file `file` (none: the defaults) in the environment `env`, as a start would. */
export async function checkSetup(file: string | undefined, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const problems: string[] = [];
  const runtime = collect(problems, () => runtimeFromEnv(env));
  // One line per problem of the file (a YAML parser's code frame under its first line is left out).
  const fileProblems: string[] = [];
  const config: Config | undefined = collect(fileProblems, () => loadConfigFile(file));
  const source = `${file ?? '(defaults)'}:`;
  problems.push(...fileProblems.filter((line, i) => i === 0 || line.startsWith(source)));
  const configDir = file ? dirname(resolve(file)) : process.cwd();
  if (config) {
    for (const id of [ACCOUNT_CLIENT_ID, ADMIN_CLIENT_ID]) {
      if (config.clients.some((c) => c.client_id === id)) problems.push(`clients: client_id '${id}' is reserved for flowgate's own client; choose another id`);
    }
    collect(problems, () => checkForEnvironment(config, runtime?.production ?? false));
    collect(problems, () => createBrand(config.branding, configDir, (runtime?.issuer ?? '').startsWith('https:')));
    collect(problems, () => createViews(join(root, 'views'), config.appName, config.viewsDir ? { overridesDir: resolve(configDir, config.viewsDir) } : {}));
  }
  const registry = builtinAuthenticators();
  if (config?.authenticators.length) {
    try {
      await loadPluginAuthenticators(config.authenticators, registry, configDir);
    } catch (err) {
      problems.push(...(err as Error).message.split('\n'));
    }
  }
  const flowsDir = config?.flowsDir ?? rawFlowsDir(file);
  const flows = new Map<string, LoadedFlow>();
  const names = collect(problems, () => {
    try {
      return readdirSync(flowsDir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
    } catch (err) {
      throw new Error(`${flowsDir}: cannot read the flows directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }) ?? [];
  for (const name of names) {
    const path = join(flowsDir, name);
    const flow = collect(problems, () => loadFlowText(path, readFileSync(path, 'utf8'), registry));
    if (!flow) continue;
    if (flows.has(flow.id)) problems.push(`${path}: field id: flow '${flow.id}' is defined twice (also in ${flows.get(flow.id)!.file})`);
    else flows.set(flow.id, flow);
  }
  if (config && names.length && !flows.has(config.signInFlow) && !problems.some((p) => p.startsWith(join(flowsDir, `${config.signInFlow}.`)))) {
    problems.push(`signInFlow: no flow with id '${config.signInFlow}' in ${flowsDir}`);
  }
  if (problems.length || !config) return { problems };
  return {
    problems,
    summary: {
      file: file ?? '(no config file: the defaults)', clients: config.clients.length,
      connectors: config.sms.connectors.map((c) => c.type), flows: [...flows.keys()], signInFlow: config.signInFlow,
    },
  };
}
