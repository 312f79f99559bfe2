// Every refusal at start-up speaks one language: exit 1, "flowgate: cannot start" and a line or a
// few naming the environment variable, file or key, and no stack trace. Runs the real server
// (the compiled build when dist/ is fresh, else the sources through tsx: test/helpers/process.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { flowgate, stderrLines } from '../helpers/cli.ts';
import { freePort, runCommand, serverEntry, startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-refusals-'));
const children: Child[] = [];
after(async () => { await Promise.all(children.map((c) => c.stop())); rmSync(dir, { recursive: true, force: true }); });

const base = () => ({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'ok.db')}`, FLOWGATE_CONFIG: '', LOG_FORMAT: 'json', NODE_ENV: 'development' });

/** Starts the server with `env` and expects a refusal whose message matches `names`. */
async function refused(env: Record<string, string>, names: RegExp, maxLines = 6): Promise<string> {
  const res = await runCommand(serverEntry(), { ...base(), ...env });
  assert.equal(res.code, 1, res.out);
  const out = res.out.replace(/^oidc-provider WARNING: Unsupported runtime.*\n/m, '');
  assert.match(out, /^flowgate: cannot start\n/);
  assert.match(out, names);
  assert.doesNotMatch(out, /^\s+at /m, 'no stack trace');
  assert.ok(out.trimEnd().split('\n').length <= maxLines, `a few lines:\n${out}`);
  return out;
}

/** The start's problem lines and `config check`'s, in the same environment: the same list. */
async function sameAsCheck(env: Record<string, string>): Promise<{ problems: string[]; summary: string }> {
  const start = (await refused(env, /./, 20)).trimEnd().split('\n').slice(1);
  const check = await flowgate(['config', 'check'], { ...base(), ...env });
  assert.equal(check.code, 1, check.stdout + check.stderr);
  const lines = stderrLines(check);
  assert.deepEqual(lines.slice(0, -1), start, 'config check lists what the start refuses');
  return { problems: start, summary: lines.at(-1)! };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

test('PORT that is not a port number', { timeout: 60_000 }, async () => {
  await refused({ PORT: 'abc' }, /^PORT: 'abc' is not a whole number from 0 to 65535$/m);
  await refused({ PORT: '70000' }, /^PORT: '70000' is not a whole number/m);
});

test('FLOWGATE_ISSUER that is not an http(s) URL, or has a path (endpoints are served at the root)', { timeout: 60_000 }, async () => {
  await refused({ FLOWGATE_ISSUER: 'id.example.com' }, /^FLOWGATE_ISSUER: 'id\.example\.com' is not an http\(s\) URL/m);
  await refused({ FLOWGATE_ISSUER: 'https://id.example.com/?tenant=a' }, /^FLOWGATE_ISSUER: .* without query or fragment/m);
  await refused({ FLOWGATE_ISSUER: 'https://example.com/id' }, /^FLOWGATE_ISSUER: 'https:\/\/example\.com\/id' has a path \(\/id\); .*use https:\/\/example\.com /m);
});

test('every environment problem at once, each named by its variable, and config check lists the same', { timeout: 90_000 }, async () => {
  const { problems, summary } = await sameAsCheck({
    PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_FORMAT: 'xml', FLOWGATE_ISSUER: 'notaurl', FLOWGATE_LISTEN_HOST: 'nope',
  });
  assert.deepEqual(problems.map((l) => l.split(':')[0]), ['PORT', 'FLOWGATE_LISTEN_HOST', 'FLOWGATE_ISSUER', 'DATABASE_URL', 'LOG_FORMAT']);
  assert.equal(summary, 'flowgate: 5 problems in the environment');
});

test('the start reports every problem config check does: the environment, the config file and a missing flowsDir', { timeout: 90_000 }, async () => {
  const config = file('many.yaml', `flowsDir: ${JSON.stringify(join(dir, 'no-such-flows'))}\nlogLevel: loud\ntrustProxy: yes\n`
    + 'sms:\n  connectors:\n    - type: twilio\n    - type: twillio\n');
  const { problems, summary } = await sameAsCheck({ FLOWGATE_CONFIG: config, LOG_FORMAT: 'xml' });
  assert.equal(problems[0], "LOG_FORMAT: 'xml' is not a log format; use json or pretty");
  assert.ok(problems.includes(`${config}: trustProxy: expected true or false`), problems.join('\n'));
  assert.ok(problems.includes(`${config}: sms.connectors.0.accountSid: required (a string)`), problems.join('\n'));
  assert.ok(problems.includes(`${config}: sms.connectors.1.type: unknown type 'twillio'; did you mean 'twilio'?`), problems.join('\n'));
  assert.ok(problems.some((l) => l.startsWith(`${config}: logLevel:`)), problems.join('\n'));
  assert.ok(problems.some((l) => /no-such-flows: cannot read the flows directory: ENOENT/.test(l)), problems.join('\n'));
  assert.match(summary, /^flowgate: \d+ problems in the environment, .*many\.yaml and .*no-such-flows$/);
});

test('a YAML error is one whole line: what and where, not cut after a colon', { timeout: 60_000 }, async () => {
  const config = file('colon.yaml', 'appName: a\nfoo: bar: baz\n');
  const { problems } = await sameAsCheck({ FLOWGATE_CONFIG: config });
  assert.deepEqual(problems, [`${config}: not valid YAML: Nested mappings are not allowed in compact mappings at line 2, column 6`]);
});

test('LOG_FORMAT that is not json or pretty', { timeout: 60_000 }, async () => {
  await refused({ LOG_FORMAT: 'yaml' }, /^LOG_FORMAT: 'yaml' is not a log format; use json or pretty$/m);
});

test('DATABASE_URL: an unsupported scheme (its password masked), a SQLite path that cannot be made, PostgreSQL unreachable', { timeout: 90_000 }, async () => {
  const mysql = await refused({ DATABASE_URL: 'mysql://app:hunter2@db.example/flowgate' }, /^DATABASE_URL: unsupported scheme in 'mysql:\/\/app:\*\*\*@db\.example\/flowgate'/m);
  assert.ok(!mysql.includes('hunter2'));
  const notADir = file('a-file', 'not a directory');
  await refused({ DATABASE_URL: `sqlite:${notADir}/flowgate.db` }, /^DATABASE_URL sqlite:.*\/a-file\/flowgate\.db: cannot open the SQLite store/m);
  const port = await freePort();
  const pg = await refused({ DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${port}/flowgate`, DATABASE_CONNECT_TIMEOUT_MS: '2000' },
    /^DATABASE_URL postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/flowgate: cannot open the PostgreSQL store \(.*ECONNREFUSED/m);
  assert.ok(!pg.includes('hunter2'));
});

test('DATABASE_URL: a PostgreSQL URL that does not parse is one line (start and CLI), no TypeError', { timeout: 60_000 }, async () => {
  const bad = 'postgres://u:hunter2@[bad';
  const out = await refused({ DATABASE_URL: bad }, /^DATABASE_URL: 'postgres:\/\/\*\*\*@\[bad' is not a valid PostgreSQL URL/m, 2);
  assert.ok(!out.includes('hunter2') && !out.includes('TypeError'), out);
  const cli = await flowgate(['users', 'list'], { ...base(), DATABASE_URL: bad });
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stderr, /DATABASE_URL: '.*' is not a valid PostgreSQL URL/);
  assert.doesNotMatch(cli.stderr, /Invalid URL|hunter2|^\s+at /m);
});

test('DATABASE_URL: an SQLite file in a folder that does not exist is refused, and the folder is not made', { timeout: 60_000 }, async () => {
  const missing = join(dir, 'no-such-folder', 'deeper');
  await refused({ DATABASE_URL: `sqlite:${missing}/x.db` }, /^DATABASE_URL: the folder .*no-such-folder\/deeper of sqlite:.* does not exist/m, 2);
  assert.equal(existsSync(join(dir, 'no-such-folder')), false, 'nothing made');
});

test('PORT=0 without FLOWGATE_ISSUER: the log names the port bound, and the issuer is on it', { timeout: 60_000 }, async () => {
  const proc = spawn(process.execPath, serverEntry(), { env: { ...process.env, ...base(), FLOWGATE_ISSUER: '', DATABASE_URL: `sqlite:${join(dir, 'port0.db')}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push({ url: '', proc, output: () => '', stop: async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await once(proc, 'exit'); } } });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  for (let i = 0; i < 300 && !out.includes('flowgate listening') && proc.exitCode === null; i += 1) await new Promise((r) => setTimeout(r, 100));
  const line = JSON.parse(out.split('\n').find((l) => l.includes('flowgate listening'))!) as { port: number; issuer: string };
  assert.ok(line.port > 0, out);
  assert.equal(line.issuer, `http://localhost:${line.port}`);
  const discovery = await (await fetch(`http://127.0.0.1:${line.port}/.well-known/openid-configuration`)).json() as { issuer: string; authorization_endpoint: string };
  assert.equal(discovery.issuer, line.issuer);
  assert.ok(discovery.authorization_endpoint.startsWith(`${line.issuer}/`));
});

test('a config file that is missing, not YAML, or has a misspelt key (with the key it meant)', { timeout: 90_000 }, async () => {
  await refused({ FLOWGATE_CONFIG: join(dir, 'missing.yaml') }, /missing\.yaml: cannot read: ENOENT/);
  await refused({ FLOWGATE_CONFIG: file('broken.yaml', 'clients: [\n') }, /broken\.yaml: not valid YAML/);
  const leaky = await refused({ FLOWGATE_CONFIG: file('broken-secret.yaml', 'sms:\n  connectors:\n    - type: twilio\n      authToken: "tok-3f9a1c2e\n') },
    /broken-secret\.yaml: not valid YAML: .* at line \d+, column \d+$/m);
  assert.ok(!leaky.includes('tok-3f9a1c2e'), `the YAML parser's code frame (the file's text, a secret) is not printed:\n${leaky}`);
  const out = await refused({ FLOWGATE_CONFIG: file('typo.yaml', 'clients:\n  - client_id: web\n    redirect_uri: https://app.example/cb\n') },
    /^.*typo\.yaml: clients\.0\.redirect_uri: unknown key; did you mean 'redirect_uris' \(a list\)\?$/m);
  assert.doesNotMatch(out, /expected array/, 'one clear line, not a misleading second one');
});

test('a flow file with a misspelt key names the file, the step and the key it meant', { timeout: 60_000 }, async () => {
  file('flows-typo/sign-in.yaml', 'id: sign-in\nsteps:\n  - id: phone\n    requirment: REQUIRED\n    authenticator: identify-phone\n');
  const config = file('flows-typo.yaml', `flowsDir: ${JSON.stringify(join(dir, 'flows-typo'))}\n`);
  await refused({ FLOWGATE_CONFIG: config }, /flows-typo\/sign-in\.yaml: step 'phone', field requirment: unknown key; did you mean 'requirement'\?/);
});

test('a malformed HTTP request is answered 400 and logged as one line, never a parser stack', { timeout: 60_000 }, async () => {
  const child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'client-error.db')}`, FLOWGATE_CONFIG: '', LOG_FORMAT: 'json' });
  children.push(child);
  const port = Number(new URL(child.url).port);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
    let got = '';
    socket.on('data', (d) => { got += d; });
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
  for (let i = 0; i < 50 && !child.output().includes('malformed HTTP request'); i += 1) await new Promise((r) => setTimeout(r, 100));
  const lines = child.output().split('\n').filter((l) => l.includes('malformed HTTP request'));
  assert.equal(lines.length, 1, child.output());
  assert.match(lines[0]!, /^\{.*"reason":"HPE_INVALID_HEADER_TOKEN".*"status":400/);
  assert.doesNotMatch(child.output(), /Parse Error|^\s+at /m);
  assert.doesNotMatch(child.output(), /SHOULD|MUST change/, 'no oidc-provider policy notice');
});

test('LOG_FORMAT=pretty: readable lines, not JSON', { timeout: 60_000 }, async () => {
  const child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'pretty.db')}`, FLOWGATE_CONFIG: '', LOG_FORMAT: 'pretty' });
  children.push(child);
  for (let i = 0; i < 50 && !child.output().includes('flowgate listening'); i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.match(child.output(), /^\d\d:\d\d:\d\d\.\d{3} INFO  flowgate listening issuer=http:\/\/127\.0\.0\.1:\d+ port=\d+ store=sqlite$/m);
  assert.doesNotMatch(child.output(), /^\{/m);
});
