// Files stay first-class: `flowgate flows export|import` round-trips a flow through git-friendly
// YAML, and a config file that changes after an admin's edit never overwrites that edit silently
// (the file's version is stored, not activated, and a warning says how to use it).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { runCommand } from '../helpers/process.ts';
import { lastCode } from '../helpers/outbox.ts';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { REGISTERED, startServer } from '../helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('flows export → edit → flows import makes an admin flow; the same file again changes nothing; a bad file names the field', { timeout: 120_000 }, async () => {
  const db = join(dir, 'cli.db');
  const cli = (...args: string[]) => runCommand(['--import', 'tsx', 'src/cli.ts', ...args], { DATABASE_URL: `sqlite:${db}`, FLOWGATE_CONFIG: '' });
  const exported = await cli('flows', 'export', '--id', 'sign-in');
  assert.equal(exported.code, 0, exported.out);
  assert.match(exported.out, /^id: sign-in$/m);
  const file = join(dir, 'team.yaml');
  const text = exported.out.slice(exported.out.indexOf('id: sign-in')).replace(/^id: sign-in$/m, 'id: team-sign-in');
  writeFileSync(file, text);
  const imported = await cli('flows', 'import', '--file', file);
  assert.equal(imported.code, 0, imported.out);
  assert.match(imported.out, /flow 'team-sign-in' is now at version 1/);
  assert.match((await cli('flows', 'import', '--file', file)).out, /version 1/, 'the same file makes no new version');
  const back = await cli('flows', 'export', '--id', 'team-sign-in');
  assert.equal(back.out.slice(back.out.indexOf('id: team-sign-in')), text, 'export → import → export is the same file');
  writeFileSync(file, text.replace('codeLength: 6', 'codeLength: 3'));
  const bad = await cli('flows', 'import', '--file', file);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /\/steps\/1\/steps\/0\/config\/codeLength: .*>=6/);
  const store = openSqliteStore(db);
  try {
    const audit = await store.config.audit({ limit: 10, target: 'flow:team-sign-in' });
    assert.deepEqual(audit.map((e) => [e.action, e.actor]), [['flow.create', 'cli']]);
  } finally { await store.close(); }
});

test('a config file changed after an admin\'s edit is stored as a version, not applied; the admin\'s edit stays and a warning says so', { timeout: 120_000 }, async () => {
  const data = join(dir, 'server');
  const templates = (text: string) => ({ sms: { connectors: [{ type: 'outbox', path: join(data, 'outbox.jsonl') }], templates: { 'sign-in': { en: text } } } });
  const lines: string[] = [];
  const log = createLogger('warn', new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
  const start = (text: string) => startServer({ dir: data, log, config: templates(text) });

  let server = await start('File one {{code}} #{{code}}');
  const wrote = await server.store.config.save('sms-templates', 'default', { body: { 'sign-in': { en: 'Admin {{code}} #{{code}}' } }, source: 'admin', actor: 'user:x' },
    (await server.store.config.head('sms-templates', 'default'))!.rev, { actor: 'user:x', action: 'sms.templates.update', target: 'sms-templates:default', diff: [] }, Date.now());
  assert.ok(wrote.ok);
  await server.close();

  server = await start('File two {{code}} #{{code}}');
  try {
    // Sign-in flows carry their own template; the global one serves numbers of flows without one: check the stored state.
    const head = (await server.store.config.head('sms-templates', 'default'))!;
    const active = await server.store.config.active('sms-templates', 'default');
    assert.deepEqual(active!.body, { 'sign-in': { en: 'Admin {{code}} #{{code}}' } }, 'the admin\'s edit stays active');
    const fileVersion = await server.store.config.version('sms-templates', 'default', head.latestVersion);
    assert.equal(fileVersion!.source, 'file');
    assert.deepEqual(fileVersion!.body, { 'sign-in': { en: 'File two {{code}} #{{code}}' } }, 'the file is kept as the newest version');
    assert.ok(lines.some((l) => /the file changed after an admin's edit/.test(l) && /activate it/.test(l)), lines.join(''));
    // A login still works on the flow in force.
    const { browser, page } = await toCodePage(server, REGISTERED);
    assert.equal((await submitCode(browser, page, await lastCode(server, REGISTERED))).status, 303);
  } finally {
    await server.close();
  }
});
