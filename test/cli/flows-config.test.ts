// Flows through the CLI against a real SQLite file (list, show, export, import: what one
// command writes the next reads; --json output is one document), and config check listing every problem at once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliWith, stderrLines } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-flows-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}`, FLOWGATE_CONFIG: '' };
const { cli, json } = cliWith(env);

test('flows: list, show, export, import as a new flow, shown and listed; --json documents', { timeout: 90_000 }, async () => {
  const flows = await json<Array<{ id: string; builtIn: boolean; boundTo: string[] }>>('flows', 'list');
  assert.deepEqual(flows.find((f) => f.id === 'sign-in'), { ...flows.find((f) => f.id === 'sign-in'), builtIn: true, boundTo: ['sign-in'] });
  const shown = await cli('flows', 'show', '--id', 'sign-in');
  assert.match(shown.stdout, /^flow sign-in \(sign-in, from a file\): version 1 of 1$/m);
  assert.match(shown.stdout, /^\s+- sms\s+sms-otp\s+ALTERNATIVE$/m);
  const exported = await cli('flows', 'export', '--id', 'sign-in');
  assert.match(exported.stdout, /^id: sign-in$/m);
  assert.equal((await json<{ id: string }>('flows', 'export', '--id', 'sign-in')).id, 'sign-in');
  const file = join(dir, 'team.yaml');
  writeFileSync(file, exported.stdout.replace(/^id: sign-in$/m, 'id: team-sign-in'));
  assert.equal((await json<{ id: string; version: number }>('flows', 'import', '--file', file)).version, 1);
  const after = await json<{ document: { id: string }; versions: Array<{ actor: string; source: string }> }>('flows', 'show', '--id', 'team-sign-in');
  assert.deepEqual(after.versions.map((v) => [v.actor, v.source]), [['cli', 'import']]);
  assert.ok((await json<Array<{ id: string; builtIn: boolean }>>('flows', 'list')).some((f) => f.id === 'team-sign-in' && !f.builtIn));
  assert.match((await cli('flows', 'list')).stdout, /^team-sign-in\s+sign-in\s+1\/1\s+cli\s/m, 'an import from the command line has origin cli');
  assert.match((await cli('flows', 'list')).stdout, /^sign-in\s+sign-in\s+1\/1\s+file\s/m);
  const again = await cli('flows', 'import', '--file', file);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, "flow 'team-sign-in' is unchanged (the file is its version 1 already): no new version\n");
  assert.equal((await json<{ changed: boolean; version: number }>('flows', 'import', '--file', file)).changed, false);
  const versions = (await cli('flows', 'show', '--id', 'team-sign-in')).stdout;
  assert.match(versions, /^versions:\n\s+version\s+source\s+by\s+created\n\s+1 \(active\)\s+import\s+cli\s+\d{4}-/m, 'the versions are labelled');
  const typo = join(dir, 'typo-flow.yaml');
  writeFileSync(typo, 'id: typo-flow\nkind: sign-in\nsteps:\n  - id: sms\n    authenticator: sms-otp\n    requirment: REQUIRED\n');
  const refused = await cli('flows', 'import', '--file', typo);
  assert.equal(refused.code, 1);
  assert.deepEqual(stderrLines(refused), ["flowgate: flow 'typo-flow' is not valid: /steps/0/requirment: unknown key; did you mean 'requirement'?"], 'the problem once, with its place');
  const missing = await cli('flows', 'show', '--id', 'nope');
  assert.equal(missing.code, 1);
  assert.match(stderrLines(missing)[0]!, /^flowgate: flow 'nope' does not exist$/);

});

test('config check prints every problem of the config file and of the flows at once, exit 1; ok with a summary otherwise', { timeout: 60_000 }, async () => {
  const flows = join(dir, 'flows-bad');
  mkdirSync(flows);
  for (const name of ['sign-in.yaml', 'register.yaml']) writeFileSync(join(flows, name), readFileSync(join('flows', name), 'utf8'));
  writeFileSync(join(flows, 'broken.yaml'), 'id: broken\nkind: sign-in\nsteps:\n  - id: a\n    authenticator: no-such-step\n    requirement: REQUIRED\n');
  writeFileSync(join(flows, 'typo.yaml'), 'id: typo\nkind: sign-in\nsteps: [\n');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, `appName: Acme\nflowsDir: ${flows}\nclients:\n  - client_id: a\n    redirect_uri: https://a.example.com/cb\nlogLevel: loud\n`);
  const run = await cli('config', 'check', '--file', bad);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const lines = stderrLines(run);
  assert.ok(lines.some((l) => /clients\.0/.test(l)), `the client's problem:\n${run.stderr}`);
  assert.ok(lines.some((l) => /logLevel/.test(l)), 'the log level');
  assert.ok(lines.some((l) => /broken\.yaml: .*unknown authenticator 'no-such-step'/.test(l)), 'the flow with an unknown step');
  assert.ok(lines.some((l) => /typo\.yaml: not valid YAML/.test(l)), 'the flow that is not YAML');
  // Each problem summed up where it is: the config file and each flow file.
  assert.match(lines.at(-1)!, new RegExp(`^flowgate: ${lines.length - 1} problems in [^ ]*bad\\.yaml, [^ ]*broken\\.yaml and [^ ]*typo\\.yaml$`));
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  const asJson = await cli('config', 'check', '--file', bad, '--json');
  assert.equal(asJson.code, 1);
  const doc = JSON.parse(asJson.stdout) as { ok: boolean; problems: string[] };
  assert.equal(doc.ok, false);
  assert.equal(doc.problems.length, lines.length - 1);

  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'appName: Acme\nsms:\n  connectors: [{ type: console }]\n');
  const ok = await cli('config', 'check', '--file', good);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ok: .*good\.yaml: 0 clients .*SMS via console, 5 flows \(sign-in: sign-in\)$/m);
  const okJson = JSON.parse((await cli('config', 'check', '--file', good, '--json')).stdout) as { ok: boolean; summary: { flows: string[] } };
  assert.equal(okJson.ok, true);
  assert.ok(okJson.summary.flows.includes('sign-in'));
});
