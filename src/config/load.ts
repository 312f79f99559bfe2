// Loads and validates the YAML configuration file; errors name the file and the key.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configSchema, type Config } from './schema.ts';
import { explainIssues, type Problem } from './unknown-keys.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One line a problem: `flowgate.yaml: clients.0.redirect_uri: unknown key; did you mean 'redirect_uris' (a list)?`. */
export function formatIssues(source: string, problems: readonly Problem[]): string {
  return problems
    .map((i) => `${source}: ${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('\n');
}

export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(formatIssues(source, explainIssues(configSchema, raw ?? {}, result.error.issues)));
  return result.data;
}

export function loadConfigFile(path: string | undefined): Config {
  if (!path) return parseConfig({}, '(defaults)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    // The parser's first line names the line and column; the code frame under it would print the
    // file's text (an authToken, a client_secret) to the console and the service's log.
    throw new ConfigError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`);
  }
  return parseConfig(raw, path);
}

/** Refusals that depend on the environment, not on the file alone. */
export function checkForEnvironment(config: Config, production: boolean): void {
  if (!production) return;
  if (!config.limits.enabled) {
    throw new ConfigError('limits.enabled: the abuse limits may be turned off for a benchmark only, never with NODE_ENV=production');
  }
  if (config.sms.allowDevConnectorsInProduction) return;
  const dev = config.sms.connectors.filter((c) => c.type === 'console' || c.type === 'outbox');
  if (dev.length) {
    throw new ConfigError(
      `sms.connectors: '${dev[0]!.type}' is for development; with NODE_ENV=production configure a real provider ` +
      'or set sms.allowDevConnectorsInProduction: true',
    );
  }
}
