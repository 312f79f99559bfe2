// What every command shares: the environment and config file the server would read, the store
// it would open (DATABASE_URL, FLOWGATE_CONFIG), printing text or one JSON document, and a
// failure as one line (src/cli/failure.ts). Loaded only when a command runs.
import { dirname, resolve } from 'node:path';
import { normalizePhone } from '../authenticators/identify-phone/phone.ts';
import { loadConfigFile } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { runtimeFromEnv } from '../runtime.ts';
import { checkDestination, type DestinationRefusal } from '../sms/phone-policy.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { UsageError, type RunContext } from './args.ts';
export { CliError } from './failure.ts';

/** The audit log's actor for every change made on the command line. */
export const ACTOR = 'cli';

export type Env = ReturnType<typeof runtimeFromEnv>;

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

/** JSON times as the text shows them: a `…At` number (epoch ms) as an ISO string. */
const isoTimes = (key: string, value: unknown) => (/At$/.test(key) && typeof value === 'number' ? new Date(value).toISOString() : value);

/** Prints `data` as JSON with --json (times as ISO strings), else the text (a trailing newline is added). */
export function print(ctx: RunContext, data: unknown, text: string | (() => string)): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(data, isoTimes, 2)}\n` : `${(typeof text === 'function' ? text() : text).replace(/\n?$/, '\n')}`);
}

/** Text columns, padded (the last one not). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const iso = (t: number | null | undefined) => (t === null || t === undefined ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** Why normalizePhone refused a spelling. */
export const PHONE_WHY = {
  empty: 'it is empty', too_long: 'it is too long', bad_characters: 'it has characters a phone number cannot have',
  invalid: 'it is not a number of any country',
} as const;

/** A phone number option in E.164 (the config's defaultRegion for national spellings); bad usage otherwise. */
export function phoneArg(raw: string, config: Config, option = '--phone'): string {
  const phone = normalizePhone(raw, config.defaultRegion);
  if (!phone.ok) throw new UsageError(`${option} '${raw.slice(0, 40)}' is not a valid phone number: ${PHONE_WHY[phone.reason]}`);
  return phone.e164;
}

/** Why a number may not receive SMS (the phone policy the sign-in page applies). */
export const REFUSED_WHY: Record<DestinationRefusal, string> = {
  country_not_allowed: 'its country is not in sms.allowedCountries',
  type_not_allowed: 'it is not a mobile number (premium-rate, toll-free, landline, VoIP or satellite)',
  invalid: 'it is not a valid number',
};

/** The phone policy's refusal of a number (allowed countries, mobile types) as a one-line failure, or nothing. */
export function refusedDestination(e164: string, config: Config): string | undefined {
  const refused = checkDestination(e164, config.sms.allowedCountries ?? [config.defaultRegion]);
  return refused ? `${e164} may not receive SMS: ${REFUSED_WHY[refused]} (${refused})` : undefined;
}
