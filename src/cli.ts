// The `flowgate` command (bin/flowgate.mjs, `npm run cli -- …`): one table of commands (src/cli/commands.ts),
// parsed and described by src/cli/args.ts. Each command talks to the store the server uses
// (DATABASE_URL, FLOWGATE_CONFIG); account changes go through src/accounts, audited as `cli`.
// Exit 0 done, 1 a runtime failure (one line on stderr), 2 bad usage (one line naming the help).
import { readFileSync } from 'node:fs';
import { dispatch, type Cli } from './cli/args.ts';
import { commands, groups } from './cli/commands.ts';
import { failureLine } from './cli/failure.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const cli: Cli = {
  commands,
  groups,
  version,
  footer: [
    'Environment, as the server reads it: DATABASE_URL (default sqlite:./data/flowgate.db), FLOWGATE_CONFIG (the config',
    'file), FLOWGATE_KEY_ENCRYPTION_KEY (sealed keys), FLOWGATE_ISSUER.',
    'Exit codes: 0 done, 1 failed (one line says why), 2 bad usage. --json prints one JSON document on stdout (a failure: {"error": …}).',
  ],
};

// With --json a failure that printed no document prints {"error": "<the stderr line>"} on stdout too.
const json = process.argv.slice(2).includes('--json');
const write = process.stdout.write.bind(process.stdout);
let printed = false;
process.stdout.write = ((...args: Parameters<typeof write>) => { printed = true; return write(...args); }) as typeof process.stdout.write;
const fail = (line: string) => {
  process.stderr.write(line);
  if (json && !printed) write(`${JSON.stringify({ error: line.replace(/^flowgate: /, '').trimEnd() })}\n`);
};

let code: number;
try {
  const out = await dispatch(cli, process.argv.slice(2));
  if (out.stdout) process.stdout.write(out.stdout);
  if (out.stderr) (out.code ? fail : (l: string) => process.stderr.write(l))(out.stderr);
  code = out.code;
} catch (err) {
  fail(`flowgate: ${failureLine(err)}\n`);
  code = 1;
}
// Exits now (pipes and files are written synchronously on Linux): a connector's timer or a pool must not hold the command open.
process.exit(code);
