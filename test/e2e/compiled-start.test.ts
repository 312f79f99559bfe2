// `npm start` runs the compiled build (dist/, source maps on): it signs a person in, loads a `.ts`
// third-party authenticator without tsx, warns about the runtime only where it should, and its
// stack traces name the .ts lines.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { demoSignIn } from '../helpers/demo.ts';
import { COMPILED_ENTRY, runCommand, startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-compiled-'));
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });

before(async () => {
  // What `npm start` does first (a no-op when dist/ is fresh, as after `npm install`).
  const built = await runCommand(['scripts/build.mjs', '--if-stale']);
  assert.equal(built.code, 0, built.out);
}, { timeout: 300_000 });

test('npm start runs dist/main.js with source maps (the tests and the bench run the same node arguments)', () => {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  assert.ok(scripts.start!.endsWith(`node ${COMPILED_ENTRY.join(' ')}`), scripts.start);
  assert.ok(COMPILED_ENTRY.includes('--enable-source-maps'), COMPILED_ENTRY.join(' '));
  assert.equal(COMPILED_ENTRY.at(-1), 'dist/main.js');
});

test('the compiled server serves discovery and the demo sign-in, with a .ts plugin loaded', async () => {
  const config = join(dir, 'flowgate.yaml');
  writeFileSync(config, `authenticators: [${JSON.stringify(resolve('test/fixtures/authenticators/always-yes.ts'))}]\n`);
  child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'compiled.db')}`, FLOWGATE_CONFIG: config }, undefined, { build: 'compiled' });
  assert.deepEqual(child.proc.spawnargs.slice(1), COMPILED_ENTRY);
  const discovery = await (await fetch(`${child.url}/.well-known/openid-configuration`)).json() as { issuer: string; jwks_uri: string };
  assert.equal(discovery.issuer, child.url);
  assert.equal(discovery.jwks_uri, `${child.url}/jwks`);
  const claims = await demoSignIn(child);
  assert.equal(claims.status, 200, claims.html.slice(0, 500));
  assert.match(claims.html, /&quot;phone_number&quot;: &quot;\+12025550100&quot;/);
});

test('on Node 22+ LTS (24 is the target) oidc-provider prints no "Unsupported runtime" warning; on Node 20 one, as the README says', () => {
  assert.ok(child, 'started by the test before');
  const supported = Number(process.versions.node.split('.')[0]) >= 22 && Boolean(process.release.lts);
  const warnings = child.output().match(/oidc-provider WARNING: Unsupported runtime/g) ?? [];
  assert.equal(warnings.length, supported ? 0 : 1, `node ${process.version} (lts: ${process.release.lts}):\n${child.output()}`);
});

test('a stack trace from the compiled build names .ts files and their lines', async () => {
  // A start-up failure that is a bug, not a refusal, prints its stack: a plugin whose create() throws.
  const config = join(dir, 'buggy.yaml');
  writeFileSync(config, `authenticators: [${JSON.stringify(resolve('test/fixtures/authenticators/throws-on-create.ts'))}]\n`);
  const res = await runCommand(COMPILED_ENTRY, { PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'buggy.db')}`, FLOWGATE_CONFIG: config });
  assert.equal(res.code, 1, res.out);
  assert.match(res.out, /flowgate: cannot start\nTypeError: throws-on-create: a bug in create\(\)/);
  const frames = [...res.out.matchAll(/^\s+at .*?\(?(\/[^():]+):(\d+):\d+\)?$/gm)].map((m) => ({ file: m[1]!, line: Number(m[2]) }));
  const ours = frames.filter((f) => f.file.startsWith(resolve('src')) || f.file.startsWith(resolve('dist')));
  assert.ok(ours.length >= 2, res.out);
  assert.deepEqual(ours.filter((f) => !f.file.endsWith('.ts')), [], 'every frame of our code names a .ts file');
  // The frame under the plugin's is the line of src/flows/runner.ts that calls create().
  assert.equal(ours[0]!.file, resolve('src/flows/runner.ts'));
  assert.match(readFileSync(ours[0]!.file, 'utf8').split('\n')[ours[0]!.line - 1]!, /factory\.create\(/);
});

test('a port in use stops the start with one line naming the port, exit 1, no stack', async () => {
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  const port = (holder.address() as AddressInfo).port;
  try {
    const res = await runCommand(COMPILED_ENTRY, { PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'in-use.db')}`, FLOWGATE_CONFIG: '' });
    assert.equal(res.code, 1, res.out);
    assert.match(res.out, new RegExp(`flowgate: cannot start\\nPORT: cannot listen on port ${port} \\(EADDRINUSE\\)`));
    assert.doesNotMatch(res.out, /^\s+at /m, 'no stack trace');
  } finally {
    holder.close();
  }
});
