// Command line: `flowgate users add --phone <number> [--name <name>] [--email <email>]`,
// `flowgate users unlock --phone <number>`, `flowgate admin grant|revoke --phone <number>` (the
// admin role) and `flowgate sms test --to <number>` (a `generic` message through the configured
// connector chain, or one connector of it with --connector), `flowgate keys rotate|list` (src/cli-keys.ts). Account changes go through src/accounts, audited with the actor `cli`.
import { parseArgs } from 'node:util';
import { flowsCommand } from './cli-flows.ts';
import { keysCommand } from './cli-keys.ts';
import { createAccounts, isEmail, type Accounts } from './accounts/index.ts';
import { normalizePhone } from './authenticators/identify-phone/phone.ts';
import { loadConfigFile } from './config/load.ts';
import { runtimeFromEnv, type Database } from './runtime.ts';
import type { DestinationStream } from 'pino';
import { createLogger } from './log.ts';
import { createLiveDispatch } from './sms/delivery/live.ts';
import { sendTest } from './sms/delivery/test-send.ts';
import { openStore } from './store/open.ts';
import { createGuard } from './guard/index.ts';
import type { Config } from './config/schema.ts';

const usage = `usage: flowgate users add --phone <number> [--name <name>] [--email <email>]
       flowgate users unlock --phone <number>
       flowgate admin grant --phone <number>     (the account may use the admin API and console)
       flowgate admin revoke --phone <number>
       flowgate sms test --to <number> [--connector <index>]
       flowgate flows export --id <flow>          (the active version as YAML, on stdout)
       flowgate flows import --file <flow.yaml>   (creates the flow, or a new version of an admin's flow)
       flowgate keys rotate [--signing] [--cookie] [--now]  (a new key, both kinds when neither is named;
                                                   a signing key signs after keys.activateAfterSeconds, or at once with --now)
       flowgate keys list                         (kid, algorithm, state, created, retires)
  Uses DATABASE_URL (default sqlite:./data/flowgate.db) and FLOWGATE_CONFIG like the server.`;

/** The audit log's actor for every change made here. */
const ACTOR = 'cli';

/** Opens the store and the account library for one command, and closes the store after it. */
async function withAccounts<T>(config: Config, runtime: Database, run: (accounts: Accounts) => Promise<T>): Promise<T> {
  const store = await openStore(runtime.databaseUrl, runtime.postgres, runtime);
  try {
    const guard = createGuard(store.guard, config.limits, createLogger('silent'), Date.now);
    return await run(createAccounts({ store, guard }));
  } finally {
    await store.close();
  }
}

async function smsTest(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { to: { type: 'string' }, connector: { type: 'string' } } });
  if (!values.to) {
    process.stderr.write(`flowgate: --to is required\n${usage}\n`);
    return 2;
  }
  if (values.connector !== undefined && !/^\d+$/.test(values.connector)) {
    process.stderr.write(`flowgate: --connector is the index of a connector in sms.connectors (0 is the first)\n${usage}\n`);
    return 2;
  }
  const runtime = runtimeFromEnv(process.env);
  const config = loadConfigFile(runtime.configFile);
  const log = createLogger('info', process.stderr as unknown as DestinationStream);
  const result = await sendTest(await createLiveDispatch(config.sms.connectors, config.sms.delivery, log), values.to, {
    appName: config.appName, host: new URL(runtime.issuer).hostname, defaultRegion: config.defaultRegion,
    allowedCountries: config.sms.allowedCountries ?? [config.defaultRegion], templates: config.sms.templates, locale: config.defaultLocale,
    ...(values.connector !== undefined ? { connectorIndex: Number(values.connector) } : {}),
  });
  if (result.ok) {
    process.stdout.write(`sent to ${result.to} via ${result.connector}${result.providerMessageId ? ` (message id ${result.providerMessageId})` : ''}\n`);
    return 0;
  }
  switch (result.reason) {
    case 'invalid_number':
      process.stderr.write(`flowgate: --to '${values.to}' is not a valid phone number (${result.phone})\n`);
      return 2;
    case 'destination_refused': {
      const why = { country_not_allowed: 'its country is not in sms.allowedCountries', type_not_allowed: 'it is not a mobile number (premium-rate, toll-free, landline, VoIP or satellite)', invalid: 'it is not a valid number' }[result.refused];
      process.stderr.write(`flowgate: ${result.to} may not receive SMS: ${why} (${result.refused}); no provider was called\n`);
      return 1;
    }
    case 'no_such_connector':
      process.stderr.write(`flowgate: no connector ${result.connectorIndex} in sms.connectors\n`);
      return 2;
    case 'not_sent':
      process.stdout.write(`not sent to ${result.to}: ${result.error} (${values.connector !== undefined ? 'the connector' : 'every connector'} failed; details above)\n`);
      return 1;
  }
}

/** Clears the guessing lockout of a number and of the account that has it, and the number's sending caps (the admin's unlock). */
async function usersUnlock(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { phone: { type: 'string' } } });
  const runtime = runtimeFromEnv(process.env);
  const config = loadConfigFile(runtime.configFile);
  const phone = normalizePhone(values.phone ?? '', config.defaultRegion);
  if (!phone.ok) {
    process.stderr.write(`flowgate: --phone '${values.phone ?? ''}' is not a valid phone number (${phone.reason})\n${usage}\n`);
    return 2;
  }
  return withAccounts(config, runtime, async (accounts) => {
    const done = await accounts.unlock({ phone: phone.e164 }, { actor: ACTOR });
    process.stdout.write(done.kind === 'unlocked' && done.cleared
      ? `unlocked ${phone.e164}: failed attempts and the number's code counters cleared\n`
      : `${phone.e164} was not locked (no failed attempts or codes recorded)\n`);
    return 0;
  });
}

/** `admin grant` / `admin revoke`: the admin role of the account with this number. */
async function adminRole(command: 'grant' | 'revoke', rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { phone: { type: 'string' } } });
  if (!values.phone) {
    process.stderr.write(`flowgate: --phone is required\n${usage}\n`);
    return 2;
  }
  const runtime = runtimeFromEnv(process.env);
  const config = loadConfigFile(runtime.configFile);
  const phone = normalizePhone(values.phone, config.defaultRegion);
  if (!phone.ok) {
    process.stderr.write(`flowgate: --phone '${values.phone}' is not a valid phone number (${phone.reason})\n`);
    return 2;
  }
  return withAccounts(config, runtime, async (accounts) => {
    const user = await accounts.findByPhone(phone.e164);
    if (!user) {
      process.stderr.write(`flowgate: no account has the number ${phone.e164} (add one with: flowgate users add --phone ${phone.e164})\n`);
      return 1;
    }
    const done = command === 'grant'
      ? await accounts.grantRole(user.id, 'admin', { actor: ACTOR })
      : await accounts.revokeRole(user.id, 'admin', { actor: ACTOR });
    if (done.kind === 'missing') {
      process.stderr.write(`flowgate: the account with ${phone.e164} was removed meanwhile\n`);
      return 1;
    }
    const state = command === 'grant' ? 'is now an admin' : 'is no longer an admin';
    const already = command === 'grant' ? 'is an admin already' : 'was not an admin';
    process.stdout.write(`${phone.e164} ${done.kind === 'changed' ? state : already}\n`);
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'sms' && command === 'test') return smsTest(rest);
  if (group === 'users' && command === 'unlock') return usersUnlock(rest);
  if (group === 'admin' && (command === 'grant' || command === 'revoke')) return adminRole(command, rest);
  if (group === 'keys' && (command === 'rotate' || command === 'list')) {
    const runtime = runtimeFromEnv(process.env);
    return keysCommand(command, rest, loadConfigFile(runtime.configFile), runtime);
  }
  if (group === 'flows' && (command === 'export' || command === 'import')) {
    const runtime = runtimeFromEnv(process.env);
    return flowsCommand(command, rest, loadConfigFile(runtime.configFile), runtime, runtime.configFile);
  }
  if (group !== 'users' || command !== 'add') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { phone: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } } });
  if (!values.phone) {
    process.stderr.write(`flowgate: --phone is required\n${usage}\n`);
    return 2;
  }
  const runtime = runtimeFromEnv(process.env);
  const config = loadConfigFile(runtime.configFile);
  const phone = normalizePhone(values.phone ?? '', config.defaultRegion);
  if (!phone.ok) {
    process.stderr.write(`flowgate: --phone '${values.phone ?? ''}' is not a valid phone number (${phone.reason})\n`);
    return 2;
  }
  if (values.email !== undefined && !isEmail(values.email)) {
    process.stderr.write(`flowgate: --email '${values.email}' is not an email address\n`);
    return 2;
  }
  return withAccounts(config, runtime, async (accounts) => {
    const done = await accounts.create({ phone: phone.e164, phoneVerified: true, name: values.name ?? null, email: values.email ?? null }, { actor: ACTOR });
    if (done.kind === 'taken') {
      process.stderr.write(`flowgate: a user with ${phone.e164} exists already (id ${done.existing.id})\n`);
      return 1;
    }
    process.stdout.write(`created user ${done.user.id} with phone ${done.user.phone}\n`);
    return 0;
  });
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`flowgate: ${(err as Error).message}\n`);
  process.exit(1);
});
