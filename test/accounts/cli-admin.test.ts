// `flowgate admin grant|revoke --phone` as a real child process against a real SQLite file: the
// role lands on the account, the audit log names the actor `cli`, an unknown number exits 1.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { runCommand } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-admin-'));
const db = join(dir, 'flowgate.db');
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => runCommand(['--import', 'tsx', 'src/cli.ts', ...args], { DATABASE_URL: `sqlite:${db}`, FLOWGATE_CONFIG: '' });

async function inStore<T>(read: (store: ReturnType<typeof openSqliteStore>) => Promise<T>): Promise<T> {
  const store = openSqliteStore(db);
  try { return await read(store); } finally { await store.close(); }
}

test('admin grant makes the account an admin, admin revoke takes it back, both audited as cli', { timeout: 120_000 }, async () => {
  const unknown = await cli('admin', 'grant', '--phone', '+1 202 555 0100');
  assert.equal(unknown.code, 1, unknown.out);
  assert.match(unknown.out, /no account has the number \+12025550100/);

  const added = await cli('users', 'add', '--phone', '+1 202 555 0100', '--name', 'Ada');
  assert.equal(added.code, 0, added.out);
  const granted = await cli('admin', 'grant', '--phone', '(202) 555-0100');
  assert.equal(granted.code, 0, granted.out);
  assert.match(granted.out, /^\+12025550100 is now an admin$/m);
  const user = await inStore(async (s) => (await s.users.findByPhone('+12025550100'))!);
  assert.deepEqual(user.roles, ['admin']);

  const twice = await cli('admin', 'grant', '--phone', '+12025550100');
  assert.equal(twice.code, 0, twice.out);
  assert.match(twice.out, /is an admin already/);

  const revoked = await cli('admin', 'revoke', '--phone', '+12025550100');
  assert.equal(revoked.code, 0, revoked.out);
  assert.match(revoked.out, /^\+12025550100 is no longer an admin$/m);

  const entries = await inStore(async (s) => {
    assert.deepEqual((await s.users.findById(user.id))?.roles, []);
    return s.config.audit({ limit: 10, target: `user:${user.id}` });
  });
  assert.deepEqual(entries.map((e) => [e.actor, e.action]), [['cli', 'user.revoke-role'], ['cli', 'user.grant-role'], ['cli', 'user.create']]);
  assert.deepEqual(entries[1]?.diff, [{ path: '/roles', from: [], to: ['admin'] }]);

  const missing = await cli('admin', 'grant');
  assert.equal(missing.code, 2);
  assert.match(missing.out, /^flowgate: --phone is required; see 'flowgate admin grant --help'\n$/);
});
