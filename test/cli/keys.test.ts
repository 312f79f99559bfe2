// Keys through the CLI against a real SQLite file: listing a fresh store makes no keys (a read
// command writes nothing); a rotation makes them, and the list shows them (never private material).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KEY_RING } from '../../src/oidc/keys.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { cliWith } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'flowgate.db');
const { cli, json } = cliWith({ DATABASE_URL: `sqlite:${db}`, FLOWGATE_CONFIG: '' });

async function storedRing(): Promise<unknown> {
  const store = openSqliteStore(db);
  try { return await store.secrets.read(KEY_RING); } finally { await store.close(); }
}

test('keys list on a fresh store says there are none yet and writes none; after a rotation it lists them', { timeout: 60_000 }, async () => {
  const fresh = await cli('keys', 'list');
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.stdout, 'no keys yet (the server makes them at first start)\n');
  assert.deepEqual(await json('keys', 'list'), []);
  assert.ok(!await storedRing(), 'listing made no keys');

  assert.equal((await cli('keys', 'rotate', '--now')).code, 0);
  const keys = await json<Array<{ kind: string; state: string }>>('keys', 'list');
  for (const kind of ['signing', 'cookie']) assert.ok(keys.some((k) => k.kind === kind && k.state === 'active'), `an active ${kind} key`);
  assert.match((await cli('keys', 'list')).stdout, /^kind\s+id\s+alg/);
  assert.doesNotMatch((await cli('keys', 'list', '--json')).stdout, /"d"|secret|private/i);
});
