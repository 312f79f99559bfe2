// Users through the CLI against a real SQLite file, as an operator would: what one command writes
// the next one reads; --json output is one document; every change is audited as `cli`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { auditOf, cliWith, stderrLines } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-users-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'flowgate.db');
const env = { DATABASE_URL: `sqlite:${db}`, FLOWGATE_CONFIG: '' };
const { cli, json } = cliWith(env);
const audit = (target: string) => auditOf(db, target);

interface UserJson { id: string; phone: string; name: string | null; roles: string[] }

test('users: add, list, show, unlock, remove (refused without --yes off a terminal), all audited as cli', { timeout: 90_000 }, async () => {
  const added = await json<UserJson>('users', 'add', '--phone', '(202) 555-0101', '--name', 'Ada');
  assert.equal(added.phone, '+12025550101');
  const listed = await json<UserJson[]>('users', 'list');
  assert.deepEqual(listed.map((u) => u.phone), ['+12025550101']);
  assert.equal((await json<UserJson[]>('users', 'list', '--search', 'Bob')).length, 0);
  const text = await cli('users', 'list');
  assert.match(text.stdout, /^id\s+phone\s+name/);
  assert.match(text.stdout, /\+12025550101\s+Ada/);
  assert.equal((await json<UserJson>('users', 'show', '--phone', '+1 202 555 0101')).id, added.id);
  assert.doesNotMatch((await cli('users', 'show', '--phone', '+12025550101', '--json')).stdout, /passwordHash|hash/i);
  assert.deepEqual(await json('users', 'unlock', '--phone', '+12025550101'), { phone: '+12025550101', cleared: 0 });

  const refused = await cli('users', 'remove', '--phone', '+12025550101');
  assert.equal(refused.code, 2);
  assert.match(stderrLines(refused).join('\n'), /^flowgate: this deletes the account: add --yes to confirm/);
  assert.equal((await json<UserJson[]>('users', 'list')).length, 1, 'not removed without --yes');
  const removed = await json<{ removed: boolean }>('users', 'remove', '--phone', '+12025550101', '--yes');
  assert.equal(removed.removed, true);
  const gone = await cli('users', 'show', '--phone', '+12025550101');
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /no account has the number \+12025550101/);

  const entries = await audit(`user:${added.id}`);
  assert.deepEqual(entries.map((e) => [e.actor, e.action]), [['cli', 'user.remove'], ['cli', 'user.unlock'], ['cli', 'user.create']]);
});

test('users add refuses a number the phone policy refuses (a landline, a country not allowed): one line, exit 1, nothing added', { timeout: 60_000 }, async () => {
  for (const [phone, why] of [['+44 20 7946 0000', /\+442079460000 may not receive SMS: it is not a mobile number .*\(type_not_allowed\)/],
    ['+44 7400 123456', /\+447400123456 may not receive SMS: its country is not in sms.allowedCountries \(country_not_allowed\)/]] as const) {
    const run = await cli('users', 'add', '--phone', phone);
    assert.equal(run.code, 1, `${phone}: ${run.stderr}`);
    const lines = stderrLines(run);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, why);
    assert.match(lines[0]!, /could never sign in, so it was not added$/);
  }
  assert.deepEqual(await json<UserJson[]>('users', 'list'), []);
});

test('--json: times are ISO strings as in the text; a failure prints {"error": …} on stdout as well as the line on stderr', { timeout: 60_000 }, async () => {
  const added = await json<{ phone: string; createdAt: string }>('users', 'add', '--phone', '+1 202 555 0107');
  assert.match(added.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const taken = await cli('users', 'add', '--phone', '+1 202 555 0107', '--json');
  assert.equal(taken.code, 1);
  const line = /a user with \+12025550107 exists already/;
  assert.match(stderrLines(taken)[0]!, line);
  assert.match((JSON.parse(taken.stdout) as { error: string }).error, line);
  const usage = await cli('users', 'show', '--phone', '12', '--json');
  assert.equal(usage.code, 2);
  assert.match((JSON.parse(usage.stdout) as { error: string }).error, /^--phone '12' is not a valid phone number/);
  assert.equal((await cli('users', 'remove', '--phone', '+12025550107', '--yes')).code, 0);
});
