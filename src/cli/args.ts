// The CLI's table of commands and what reads it: one entry per command (name, summary, options
// with type, description and whether required, handler), parsed with node:util parseArgs and
// described by help generated from the same entry, so help and parsing cannot drift.
// Exit codes: 0 done, 1 a runtime failure (one line), 2 bad usage (one line naming the help to read).
import { parseArgs } from 'node:util';
import { closest } from '../config/did-you-mean.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** The value's name in help (`<number>`); string options only. */
  value?: string;
  required?: boolean;
  /** May be given more than once (the handler gets an array). */
  multiple?: boolean;
  /** A problem with the value (a sentence), or undefined when it is good. */
  check?: (value: string) => string | undefined;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

/** What a handler gets besides its options. */
export interface RunContext {
  /** --json: print one JSON document on stdout (a failure also prints {"error": …} there: src/cli.ts). */
  json: boolean;
}

export type Handler = (values: Values, ctx: RunContext) => Promise<number>;

export interface CommandSpec {
  /** One word, or a group and a subcommand: `init`, `users add`. */
  name: string;
  summary: string;
  /** More lines for the command's help (what it changes, where it reads from). */
  details?: string;
  options: Record<string, OptionSpec>;
  examples?: string[];
  run: Handler;
}

/** A handler loaded when its command runs: help and usage errors load none of the server's modules. */
export const lazy = <M extends Record<K, Handler>, K extends string>(load: () => Promise<M>, name: K): Handler =>
  async (values, ctx) => (await load())[name](values, ctx);

/** The command as it was invoked, for hints: `npm run cli --` when run through that script, else `flowgate`. */
export const invoked = (): string => (process.env.npm_lifecycle_event === 'cli' ? 'npm run cli --' : 'flowgate');

/** Bad usage: exit 2, one line pointing at the help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const COMMON: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of text' },
  help: { type: 'boolean', description: 'show this help' },
};

const optionUsage = (name: string, o: OptionSpec) => `--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;

export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON };
  const synopsis = Object.entries(spec.options).map(([n, o]) => {
    const u = optionUsage(n, o) + (o.multiple ? ' …' : '');
    return o.required ? u : `[${u}]`;
  });
  const rows = Object.entries(options).map(([n, o]) => [n === 'help' ? '-h, --help' : optionUsage(n, o),
    `${o.description}${o.required ? ' (required)' : ''}${o.multiple ? ' (repeatable)' : ''}`] as const);
  const width = Math.max(...rows.map(([l]) => l.length));
  return [
    `${spec.summary}`,
    '',
    `Usage: flowgate ${spec.name}${synopsis.length ? ` ${synopsis.join(' ')}` : ''} [--json]`,
    ...(spec.details ? ['', spec.details] : []),
    '',
    'Options:',
    ...rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`),
    ...(spec.examples?.length ? ['', 'Examples:', ...spec.examples.map((e) => `  ${e}`)] : []),
    '',
  ].join('\n');
}

function listHelp(title: string, usage: string, specs: CommandSpec[], footer: string[]): string {
  const width = Math.max(...specs.map((s) => s.name.length));
  return [title, '', `Usage: ${usage}`, '', 'Commands:', ...specs.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`), '', ...footer, ''].join('\n');
}

/** One parseArgs refusal as a short clause, with a suggestion for a misspelt option. */
function parseProblem(err: Error & { code?: string }, known: string[]): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = quoted.replace(/^-+/, '');
      const near = closest(name, known);
      return `unknown option '${quoted}'${near ? ` (did you mean '--${near}'?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = quoted.split(' ')[0]!;
      if (/does not take an argument/.test(err.message)) return `option '${option}' takes no value`;
      if (/ambiguous/.test(err.message)) return `option '${option}' needs a value (to give one starting with '-', write ${option}=<value>)`;
      return `option '${option}' needs a value`;
    }
    default:
      return err.message.split(/(?<=\.)\s|\n/)[0]!.replace(/\.$/, '');
  }
}

/** Parses one command's options: UsageError for anything the table does not allow. */
export function parseOptions(spec: CommandSpec, args: string[]): Values | 'help' {
  if (args.some((a) => a === '--help' || a === '-h')) return 'help'; // even beside an option that lacks its value
  const options = { ...spec.options, ...COMMON };
  let values: Values;
  try {
    values = parseArgs({
      args, strict: true, allowPositionals: false,
      options: Object.fromEntries(Object.entries(options).map(([n, o]) => [n, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(n === 'help' ? { short: 'h' } : {}) }])),
    }).values as Values;
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(parseProblem(err as Error, Object.keys(options)));
    throw err;
  }
  if (values.help) return 'help';
  for (const [name, o] of Object.entries(spec.options)) {
    const v = values[name];
    if (v === undefined) {
      if (o.required) throw new UsageError(`--${name} is required`);
      continue;
    }
    for (const one of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) {
      if (o.required && one.trim() === '') throw new UsageError(`--${name} is required (it is empty)`);
      const problem = o.check?.(one);
      if (problem) {
        const shown = (one.length > 60 ? `${one.slice(0, 60)}…` : one).replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1)); // one line
        throw new UsageError(`--${name} '${shown}': ${problem}`);
      }
    }
  }
  return values;
}

export interface Cli {
  commands: CommandSpec[];
  /** A group's one-line summary (`users`: Accounts). */
  groups: Record<string, string>;
  version: string;
  /** Lines under the top-level help (environment, exit codes). */
  footer: string[];
}

export interface Outcome { code: number; stdout?: string; stderr?: string }

/** Finds the command, parses its options and runs it; bad usage is one stderr line and exit 2. */
export async function dispatch(cli: Cli, argv: string[]): Promise<Outcome> {
  const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
  const [first, second] = args;
  const isHelp = (a: string | undefined) => a === '--help' || a === '-h';
  const topHelp = () => listHelp('flowgate: the command line of an OpenID Connect identity provider for phone sign-in.',
    'flowgate <command> [options]   (flowgate <command> --help for its options)', cli.commands,
    ['Options:', '  -h, --help     show help (also after any command)', '  -V, --version  print the version', '', ...cli.footer]);
  const usage = (what: string, helpOf?: string) => ({ code: 2, stderr: `flowgate: ${what}; see '${invoked()} ${helpOf ? `${helpOf} ` : ''}--help'\n` });
  if (first === undefined || isHelp(first)) return { code: 0, stdout: topHelp() };
  if (first === '--version' || first === '-V') return { code: 0, stdout: `${cli.version}\n` };
  const groupNames = [...new Set(cli.commands.map((c) => c.name.split(' ')[0]!))];
  if (first.startsWith('-')) return usage(`unknown option '${first}' (a command comes first)`);
  if (!groupNames.includes(first)) {
    const near = closest(first, [...groupNames, ...cli.commands.map((c) => c.name.split(' ')[1]).filter((s): s is string => Boolean(s))]);
    const whole = near && !groupNames.includes(near) ? cli.commands.find((c) => c.name.endsWith(` ${near}`))?.name : near;
    return usage(`unknown command '${first}'${whole ? ` (did you mean '${whole}'?)` : ''}`);
  }
  const inGroup = cli.commands.filter((c) => c.name === first || c.name.startsWith(`${first} `));
  let spec = inGroup.find((c) => c.name === first);
  let rest = args.slice(1);
  if (!spec) {
    const subs = inGroup.map((c) => c.name.split(' ')[1]!);
    if (second === undefined || isHelp(second)) {
      const help = listHelp(`flowgate ${first}: ${cli.groups[first] ?? ''}`.trim(), `flowgate ${first} <${subs.join('|')}> [options]`, inGroup,
        [`Run '${invoked()} ${first} <command> --help' for its options.`]);
      return second === undefined ? usage(`'${first}' needs a command (${subs.join(', ')})`, first) : { code: 0, stdout: help };
    }
    spec = inGroup.find((c) => c.name === `${first} ${second}`);
    if (!spec) {
      const near = second.startsWith('-') ? undefined : closest(second, subs);
      return usage(`unknown command '${first} ${second}' (${near ? `did you mean '${first} ${near}'?` : `${first} has: ${subs.join(', ')}`})`, first);
    }
    rest = args.slice(2);
  }
  let values: Values | 'help';
  try {
    values = parseOptions(spec, rest);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message, spec.name);
    throw err;
  }
  if (values === 'help') return { code: 0, stdout: commandHelp(spec) };
  try {
    return { code: await spec.run(values, { json: Boolean(values.json) }) };
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message, spec.name);
    throw err;
  }
}
