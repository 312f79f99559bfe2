// FLOWGATE_LISTEN_HOST binds the port on one address (127.0.0.1 behind a proxy on the same host,
// so nobody reaches flowgate around the proxy and its X-Forwarded-For); a value that is no IP
// address, or no address of this machine, stops the start with one line, exit 1, no stack.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, runCommand, serverEntry, startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-listen-'));
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });
const env = (extra: Record<string, string>) => ({ DATABASE_URL: `sqlite:${join(dir, 'listen.db')}`, FLOWGATE_CONFIG: '', ...extra });

test('FLOWGATE_LISTEN_HOST=127.0.0.1: served on loopback, not on the machine\'s other addresses', { timeout: 90_000 }, async () => {
  const port = await freePort();
  child = await startProcess(env({ FLOWGATE_LISTEN_HOST: '127.0.0.1' }), port);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  assert.match(child.output(), /"host":"127.0.0.1"/);
  const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
  if (other) {
    const reached = await fetch(`http://${other.address}:${port}/healthz`).then(() => true, () => false);
    assert.equal(reached, false, `${other.address}:${port} is not served`);
  }
});

for (const [value, message] of [
  ['localhost:3000', /FLOWGATE_LISTEN_HOST: 'localhost:3000' is not an IP address \(e\.g\. 127\.0\.0\.1 or ::1\)/],
  ['192.0.2.55', /FLOWGATE_LISTEN_HOST: 192\.0\.2\.55 is not an address of this machine/],
] as const) {
  test(`FLOWGATE_LISTEN_HOST=${value} stops the start: one line, exit 1`, { timeout: 60_000 }, async () => {
    const res = await runCommand(serverEntry(), env({ FLOWGATE_LISTEN_HOST: value, PORT: String(await freePort()) }));
    assert.equal(res.code, 1, res.out);
    assert.match(res.out, message);
    assert.doesNotMatch(res.out, /^\s+at /m, 'no stack trace');
  });
}
