// What every command shares: the environment and config file the server would read, the store
// it would open (DATABASE_URL, FLOWGATE_CONFIG), printing text or one JSON document, and a
// failure as one line (exit 1) with no stack.
import { dirname, resolve } from 'node:path';
import { normalizePhone } from '../authenticators/identify-phone/phone.ts';
import { ConfigError, loadConfigFile } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors.ts';
import { runtimeFromEnv } from '../runtime.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { UsageError, type RunContext } from './args.ts';

/** The audit log's actor for every change made on the command line. */
export const ACTOR = 'cli';

export type Env = ReturnType<typeof runtimeFromEnv>;

/** A runtime failure for the person at the terminal: exit 1, this one line. */
export class CliError extends Error {
  override name = 'CliError';
}

export const env = (): Env => runtimeFromEnv(process.env);

/** The environment and the config file, as the server reads them. */
export function loadSetup(): { runtime: Env; config: Config; configDir: string } {
  const runtime = env();
  return {
    runtime, config: loadConfigFile(runtime.configFile),
    configDir: runtime.configFile ? dirname(resolve(runtime.configFile)) : process.cwd(),
  };
}

/** Opens the server's store for one command and closes it after. */
export async function withStore<T>(runtime: Env, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(runtime.databaseUrl, runtime.postgres, runtime);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** Prints `data` as JSON with --json, else the text (a trailing newline is added). */
export function print(ctx: RunContext, data: unknown, text: string | (() => string)): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(data, null, 2)}\n` : `${(typeof text === 'function' ? text() : text).replace(/\n?$/, '\n')}`);
}

/** Text columns, padded (the last one not). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const iso = (t: number | null | undefined) => (t === null || t === undefined ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** A phone number option in E.164 (the config's defaultRegion for national spellings); bad usage otherwise. */
export function phoneArg(raw: string, config: Config, option = '--phone'): string {
  const phone = normalizePhone(raw, config.defaultRegion);
  if (!phone.ok) throw new UsageError(`${option} '${raw.slice(0, 40)}' is not a valid phone number (${phone.reason})`);
  return phone.e164;
}

/** Any failure as one line: an exposed AppError's detail (and its fields), a config or flow problem with a count of the rest. */
export function failureLine(err: unknown): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof AppError) {
    if (!err.expose) return err.code === 'store_unavailable' ? 'the store cannot be reached right now (DATABASE_URL); try again' : `failed (${err.code})`;
    const fields = err.fields.map((f) => `${f.pointer || '(document)'}: ${f.detail}`);
    return [err.detail ?? err.code, ...fields.filter((f) => !(err.detail ?? '').includes(f))].join('; ');
  }
  const message = err instanceof Error ? err.message : String(err);
  const lines = message.split('\n').filter((l) => l.trim());
  const more = lines.length - 1;
  const hint = err instanceof ConfigError || (err as Error | undefined)?.name === 'FlowError' ? ": run 'flowgate config check'" : '';
  return `${lines[0] ?? 'failed'}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''}${hint})` : ''}`;
}
