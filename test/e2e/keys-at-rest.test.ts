// FLOWGATE_KEY_ENCRYPTION_KEY: with it the store holds the keys only sealed (no private `d`, no
// secret in clear, in the SQLite file or its WAL), secrets stored in clear before are sealed at the
// next start, and a wrong or missing key stops the start with one sentence (exit 1, no stack).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCommand, startProcess } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-kek-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'flowgate.db');
const env = (kek?: string) => ({ DATABASE_URL: `sqlite:${file}`, FLOWGATE_CONFIG: '', ...(kek ? { FLOWGATE_KEY_ENCRYPTION_KEY: kek } : {}) });
const kek = randomBytes(32).toString('base64url');

/** The store's bytes on disk: the database file and its write-ahead log. */
const onDisk = () => [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');

async function run(kekValue?: string): Promise<void> {
  const child = await startProcess(env(kekValue));
  await child.stop();
}

test('keys at rest: clear keys are sealed at the first start with the key; then no private key is on disk', { timeout: 90_000 }, async () => {
  await run();
  assert.match(onDisk(), /"d":"/, 'without the key the private key is stored in clear (what the test looks for)');
  await run(kek);
  const rotate = await runCommand(['bin/flowgate.mjs', 'keys', 'rotate', '--now'], env(kek));
  assert.equal(rotate.code, 0, rotate.out);
  const vacuum = await runCommand(['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(file)}); d.exec('VACUUM'); d.pragma('wal_checkpoint(TRUNCATE)'); d.close();`]);
  assert.equal(vacuum.code, 0, vacuum.out);
  const bytes = onDisk();
  assert.doesNotMatch(bytes, /"d":"|"jwk"|"secret"/, 'no private key or cookie key in clear');
  assert.match(bytes, /sealed:v1:/);
  await run(kek); // starts on its sealed store
});

test('keys at rest: a wrong or missing key refuses the start with one sentence', { timeout: 60_000 }, async () => {
  for (const [given, why] of [[randomBytes(32).toString('base64url'), /FLOWGATE_KEY_ENCRYPTION_KEY does not open the stored keys/],
    [undefined, /the stored keys are encrypted: set FLOWGATE_KEY_ENCRYPTION_KEY/], ['too-short', /FLOWGATE_KEY_ENCRYPTION_KEY: not 32 bytes/]] as const) {
    const started = await runCommand(['--import', 'tsx', 'src/main.ts'], { ...env(given), PORT: '0' });
    assert.equal(started.code, 1, started.out);
    assert.match(started.out, why);
    assert.doesNotMatch(started.out, /\n\s+at /, 'no stack trace');
  }
});
