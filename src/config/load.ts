// Loads and validates the YAML configuration file; errors name the file and the key.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function formatIssues(source: string, error: z.ZodError): string {
  return error.issues
    .map((i) => `${source}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('\n');
}

export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(formatIssues(source, result.error));
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
    throw new ConfigError(`${path}: not valid YAML: ${(err as Error).message}`);
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
