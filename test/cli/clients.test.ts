// Clients through the CLI against a real SQLite file: a generated secret is printed once and never
// again (not by list, not in the stored document); a taken or reserved id is refused; audited as `cli`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { auditOf, cliWith, stderrLines } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-clients-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'flowgate.db');
const env = { DATABASE_URL: `sqlite:${db}`, FLOWGATE_CONFIG: '' };
const { cli, json } = cliWith(env);
const audit = (target: string) => auditOf(db, target);

interface ClientJson { client_id: string; client_name?: string; public: boolean; source: string; redirect_uris: string[]; client_secret?: string }

test('clients: add prints a secret once; list never shows it; a taken id is refused; remove', { timeout: 90_000 }, async () => {
  const added = await json<ClientJson>('clients', 'add', '--name', 'Team Portal', '--redirect-uri', 'https://portal.example.com/cb',
    '--redirect-uri', 'https://portal.example.com/cb2');
  assert.equal(added.client_id, 'team-portal', 'the id is made from the name');
  assert.equal(added.public, false);
  assert.match(added.client_secret ?? '', /^[\w-]{43}$/);
  const pub = await json<ClientJson>('clients', 'add', '--name', 'Mobile', '--id', 'mobile-app', '--redirect-uri', 'https://m.example.com/cb', '--public');
  assert.equal(pub.client_secret, undefined, 'a public client has no secret');

  for (const run of [await cli('clients', 'list'), await cli('clients', 'list', '--json')]) {
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes(added.client_secret!), 'list never shows the secret');
    assert.match(run.stdout, /team-portal/);
  }
  const listed = await json<ClientJson[]>('clients', 'list');
  assert.deepEqual(listed.map((c) => [c.client_id, c.public, c.source, c.redirect_uris.length]).sort(),
    [['mobile-app', true, 'store', 1], ['team-portal', false, 'store', 2]]);

  const again = await cli('clients', 'add', '--name', 'Team Portal', '--redirect-uri', 'https://portal.example.com/cb');
  assert.equal(again.code, 1);
  assert.equal(stderrLines(again).length, 1);
  assert.match(again.stderr, /client 'team-portal' already exists/);
  assert.ok(!again.stdout.includes(added.client_secret!) && !again.stderr.includes(added.client_secret!));
  const reserved = await cli('clients', 'add', '--name', 'x', '--id', 'flowgate-admin', '--redirect-uri', 'https://x.example.com/cb');
  assert.equal(reserved.code, 1);
  assert.match(reserved.stderr, /client 'flowgate-admin' is taken/);

  const store = openSqliteStore(db);
  try {
    const doc = await store.config.active('client', 'team-portal');
    assert.ok(doc && !JSON.stringify(doc.body).includes(added.client_secret!), 'the document never holds the secret');
  } finally { await store.close(); }

  assert.deepEqual(await json('clients', 'remove', '--id', 'team-portal'), { client_id: 'team-portal', removed: true });
  assert.deepEqual((await json<ClientJson[]>('clients', 'list')).map((c) => c.client_id), ['mobile-app']);
  assert.equal((await cli('clients', 'remove', '--id', 'team-portal')).code, 1);
  assert.deepEqual((await audit('client:team-portal')).map((e) => [e.actor, e.action]), [['cli', 'client.delete'], ['cli', 'client.create']]);
});
