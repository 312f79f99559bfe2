// Command line: `flowgate users add --phone <number> [--name <name>] [--email <email>]`.
import { parseArgs } from 'node:util';
import { normalizePhone } from './authenticators/identify-phone/phone.ts';
import { loadConfigFile } from './config/load.ts';
import { runtimeFromEnv } from './runtime.ts';
import { openStore } from './store/open.ts';

const usage = `usage: flowgate users add --phone <number> [--name <name>] [--email <email>]
  Uses DATABASE_URL (default sqlite:./data/flowgate.db) and FLOWGATE_CONFIG like the server.`;

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
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
  if (values.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) {
    process.stderr.write(`flowgate: --email '${values.email}' is not an email address\n`);
    return 2;
  }
  const store = openStore(runtime.databaseUrl);
  try {
    const existing = await store.users.findByPhone(phone.e164);
    if (existing) {
      process.stderr.write(`flowgate: a user with ${phone.e164} exists already (id ${existing.id})\n`);
      return 1;
    }
    const user = await store.users.create({ phone: phone.e164, phoneVerified: true, name: values.name ?? null, email: values.email ?? null });
    process.stdout.write(`created user ${user.id} with phone ${user.phone}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`flowgate: ${(err as Error).message}\n`);
  process.exit(1);
});
