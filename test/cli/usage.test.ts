// Every command of the table with --help (exit 0, stdout, names each option) and with a bad
// argument (exit 2, exactly one stderr line pointing at its help, no stack); unknown and misspelt
// commands; --version. The CLI runs as a real process (bin/flowgate.mjs), as operators run it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { commands } from '../../src/cli/commands.ts';
import { flowgate, inBatches, stderrLines, type CliRun } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-usage-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}`, FLOWGATE_CONFIG: '' };
const cli = (...args: string[]) => flowgate(args, env);

/** Exit 2 with one line on stderr, `flowgate: …; see 'flowgate <help> --help'`, nothing on stdout, no stack. */
function assertUsage(run: CliRun, help: string, what: RegExp, label: string): void {
  assert.equal(run.code, 2, `${label}: exit 2\n${run.stdout}${run.stderr}`);
  const lines = stderrLines(run);
  assert.equal(lines.length, 1, `${label}: one stderr line, got:\n${run.stderr}`);
  assert.match(lines[0]!, new RegExp(`^flowgate: .*; see 'flowgate ${help ? `${help} ` : ''}--help'$`), label);
  assert.match(lines[0]!, what, label);
  assert.doesNotMatch(run.stderr, /^\s+at /m, `${label}: no stack`);
  assert.equal(run.stdout, '', `${label}: nothing on stdout`);
}

test('every command answers --help with its options (exit 0, stdout) and a bad option with one line (exit 2)', { timeout: 110_000 }, async () => {
  assert.ok(commands.length >= 19, 'the table has every command');
  await inBatches(commands.map((spec) => async () => {
    const words = spec.name.split(' ');
    const help = await cli(...words, '--help');
    assert.equal(help.code, 0, `${spec.name} --help: ${help.stderr}`);
    assert.deepEqual(stderrLines(help), [], `${spec.name} --help: nothing on stderr`);
    assert.match(help.stdout, new RegExp(`^Usage: flowgate ${spec.name}\\b`, 'm'), `${spec.name}: its usage line`);
    for (const option of [...Object.keys(spec.options), 'json', 'help']) assert.match(help.stdout, new RegExp(`--${option}\\b`), `${spec.name} --help names --${option}`);

    assertUsage(await cli(...words, '--no-such-option'), spec.name, /unknown option '--no-such-option'/, `${spec.name} --no-such-option`);
    const [required] = Object.entries(spec.options).find(([, o]) => o.required) ?? [];
    if (required) assertUsage(await cli(...words), spec.name, new RegExp(`--${required} is required`), `${spec.name} without --${required}`);
  }));
});

test('bad values, misspellings and the top level: exit 2 with one line; help and --version exit 0', { timeout: 60_000 }, async () => {
  const runs = await inBatches([
    () => cli('users', 'add', '--phone', '12'), () => cli('users', 'add', '--phone', '+12025550100', '--email', 'not-an-email'),
    () => cli('users', 'list', '--limit', 'lots'), () => cli('users', 'add', '--phnoe', '+12025550100'),
    () => cli('usres', 'list'), () => cli('users', 'lsit'), () => cli('users'), () => cli('nothing-like-it'),
    () => cli('clients', 'add', '--name', 'x', '--redirect-uri', 'ftp://x/'), () => cli('users', 'add', '--phone'),
    () => cli('keys', 'list', '--json=yes'), () => cli('sms', 'test', '--to', '+12025550123', '--connector', 'first'),
    () => cli('flows', 'list', 'stray'), () => cli('users', 'add', '-h'), () => cli('users', 'add', '--help'),
  ]);
  const [badPhone, badEmail, badLimit, misspeltOption, misspeltGroup, misspeltSub, noSub, unknown, badUrl, noValue, flagValue, badIndex, stray, short, long] = runs;
  assertUsage(badPhone!, 'users add', /--phone '12' is not a valid phone number: it is not a number of any country;/, 'bad phone');
  assertUsage(badEmail!, 'users add', /--email 'not-an-email': not an email address/, 'bad email');
  assertUsage(badLimit!, 'users list', /--limit 'lots': use a whole number from 1 to 1000/, 'bad limit');
  assertUsage(misspeltOption!, 'users add', /unknown option '--phnoe' \(did you mean '--phone'\?\)/, 'misspelt option');
  assertUsage(misspeltGroup!, '', /unknown command 'usres' \(did you mean 'users'\?\)/, 'misspelt group');
  assertUsage(misspeltSub!, 'users', /unknown command 'users lsit' \(did you mean 'users list'\?\)/, 'misspelt subcommand');
  assertUsage(noSub!, 'users', /'users' needs a command \(list, add, show, remove, unlock\)/, 'group alone');
  assertUsage(unknown!, '', /unknown command 'nothing-like-it'$|unknown command 'nothing-like-it';/, 'unknown command');
  assertUsage(badUrl!, 'clients add', /--redirect-uri 'ftp:\/\/x\/': use an http\(s\) URL/, 'bad URL');
  assertUsage(noValue!, 'users add', /option '--phone' needs a value/, 'no value');
  assertUsage(flagValue!, 'keys list', /option '--json' takes no value/, 'a value for a flag');
  assertUsage(badIndex!, 'sms test', /--connector 'first': the index of a connector/, 'bad index');
  assertUsage(stray!, 'flows list', /unexpected argument 'stray'/, 'a stray argument');
  assert.equal(short!.code, 0);
  assert.equal(short!.stdout, long!.stdout, '-h is --help');

  const top = await cli('--help');
  assert.equal(top.code, 0);
  for (const spec of commands) assert.match(top.stdout, new RegExp(`^  ${spec.name}\\s+\\S`, 'm'), `the top help lists ${spec.name}`);
  assert.match(top.stdout, /Exit codes: 0 done, 1 failed .*, 2 bad usage/);
  const group = await cli('users', '--help');
  assert.equal(group.code, 0);
  assert.match(group.stdout, /users remove\s+Delete an account/);
  assert.equal((await cli('help', 'users', 'add')).stdout, (await cli('users', 'add', '--help')).stdout, 'help <command> is <command> --help');
  const version = await cli('--version');
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`);
});

test('a runtime failure is one line and exit 1, with no stack', { timeout: 60_000 }, async () => {
  const [unknownUser, badStore, badConfig] = await inBatches([
    () => cli('users', 'show', '--phone', '+12025550199'),
    () => flowgate(['users', 'list'], { DATABASE_URL: 'mysql://nowhere/db', FLOWGATE_CONFIG: '' }),
    () => flowgate(['users', 'list'], { ...env, FLOWGATE_CONFIG: join(dir, 'missing.yaml') }),
  ]);
  for (const [run, what] of [[unknownUser, /^flowgate: no account has the number \+12025550199/], [badStore, /^flowgate: DATABASE_URL: unsupported scheme/],
    [badConfig, /^flowgate: .*missing\.yaml: cannot read/]] as const) {
    assert.equal(run!.code, 1, run!.stderr);
    assert.equal(stderrLines(run!).length, 1, run!.stderr);
    assert.match(stderrLines(run!)[0]!, what);
    assert.doesNotMatch(run!.stderr, /^\s+at /m);
  }
});

test('hints name the command as it was invoked: `npm run cli -- …` through that script, else flowgate', { timeout: 60_000 }, async () => {
  const [viaNpm, direct, missingViaNpm] = await inBatches([
    () => flowgate(['users', 'add', '--phone', '12'], { ...env, npm_lifecycle_event: 'cli' }),
    () => flowgate(['users', 'add', '--phone', '12'], { ...env, npm_lifecycle_event: '' }),
    () => flowgate(['users', 'show', '--phone', '+12025550198'], { ...env, npm_lifecycle_event: 'cli' }),
  ]);
  assert.match(stderrLines(viaNpm!)[0]!, /; see 'npm run cli -- users add --help'$/);
  assert.match(stderrLines(direct!)[0]!, /; see 'flowgate users add --help'$/);
  assert.match(stderrLines(missingViaNpm!)[0]!, /\(add one with: npm run cli -- users add --phone \+12025550198\)$/);
});
