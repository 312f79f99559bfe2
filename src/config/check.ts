// Every problem a start would refuse, collected at once rather than stopping at the first: the
// environment, the config file, the flows (each file of flowsDir), the authenticator plugins,
// branding and template overrides. Reuses the loaders the server runs; `flowgate config check`
// and the start (src/main.ts) both run it, so both report the same list.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createBrand } from '../branding/index.ts';
import { loadFlowText, type LoadedFlow } from '../flows/loader.ts';
import { loadPluginAuthenticators } from '../flows/plugins.ts';
import { builtinAuthenticators } from '../flows/registry.ts';
import { runtimeFromEnv, type EnvRuntime } from '../runtime.ts';
import { createViews } from '../web/views.ts';
import { checkForEnvironment, loadConfigFile } from './load.ts';
import { reservedClientProblems } from './reserved-clients.ts';
import type { Config } from './schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CheckSummary {
  file: string;
  clients: number;
  connectors: string[];
  flows: string[];
  signInFlow: string;
}

export interface CheckResult {
  problems: string[];
  /** Where the problems are: 'the environment', the config file, flow files (for the summary line). */
  where: string[];
  summary?: CheckSummary;
  /** With no problems: what the start goes on with. */
  runtime?: EnvRuntime;
  config?: Config;
}

/** Runs `fn`; a thrown error's lines become problems, found in `where`. */
function collector(problems: string[], where: Set<string>) {
  return <T>(at: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      const lines = String((err as Error).message ?? err).split('\n').filter((l) => l.trim());
      if (lines.length) where.add(at);
      problems.push(...lines);
      return undefined;
    }
  };
}

/** `3 problems in the environment and flowgate.yaml`. */
export function problemsSummary(result: Pick<CheckResult, 'problems' | 'where'>): string {
  const n = result.problems.length;
  const places = result.where.length > 1 ? `${result.where.slice(0, -1).join(', ')} and ${result.where.at(-1)}` : result.where[0] ?? 'the setup';
  return `${n} problem${n === 1 ? '' : 's'} in ${places}`;
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
  const where = new Set<string>();
  const collect = collector(problems, where);
  const runtime = collect('the environment', () => runtimeFromEnv(env));
  const source = file ?? 'the defaults';
  const config: Config | undefined = collect(source, () => loadConfigFile(file));
  const configDir = file ? dirname(resolve(file)) : process.cwd();
  if (config) {
    for (const problem of reservedClientProblems(config)) collect(source, () => { throw new Error(problem); });
    collect(source, () => checkForEnvironment(config, runtime?.production ?? false));
    collect(source, () => createBrand(config.branding, configDir, (runtime?.issuer ?? '').startsWith('https:')));
    collect(source, () => createViews(join(root, 'views'), config.appName, config.viewsDir ? { overridesDir: resolve(configDir, config.viewsDir) } : {}));
  }
  const registry = builtinAuthenticators();
  if (config?.authenticators.length) {
    try {
      await loadPluginAuthenticators(config.authenticators, registry, configDir);
    } catch (err) {
      collect(source, () => { throw err; });
    }
  }
  const flowsDir = config?.flowsDir ?? rawFlowsDir(file);
  const flows = new Map<string, LoadedFlow>();
  const names = collect(flowsDir, () => {
    try {
      return readdirSync(flowsDir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
    } catch (err) {
      throw new Error(`${flowsDir}: cannot read the flows directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }) ?? [];
  for (const name of names) {
    const path = join(flowsDir, name);
    const flow = collect(path, () => loadFlowText(path, readFileSync(path, 'utf8'), registry));
    if (!flow) continue;
    if (flows.has(flow.id)) collect(path, () => { throw new Error(`${path}: field id: flow '${flow.id}' is defined twice (also in ${flows.get(flow.id)!.file})`); });
    else flows.set(flow.id, flow);
  }
  if (config && names.length && !flows.has(config.signInFlow) && !problems.some((p) => p.startsWith(join(flowsDir, `${config.signInFlow}.`)))) {
    collect(source, () => { throw new Error(`signInFlow: no flow with id '${config.signInFlow}' in ${flowsDir}`); });
  }
  if (problems.length || !config || !runtime) return { problems, where: [...where] };
  return {
    problems,
    where: [],
    runtime,
    config,
    summary: {
      file: file ?? '(no config file: the defaults)', clients: config.clients.length,
      connectors: config.sms.connectors.map((c) => c.type), flows: [...flows.keys()], signInFlow: config.signInFlow,
    },
  };
}
