// Demo mode is decided by the config file alone: with a client added by `clients add` and none in
// the config file, the start line and the home page say "no clients in the config file" (not "no
// clients configured"), and the stored client is served beside the demo app.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as oidc from 'openid-client';
import { cliWith } from '../helpers/cli.ts';
import { startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-demo-'));
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });
const env = { DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}`, FLOWGATE_CONFIG: '', NODE_ENV: 'development', LOG_FORMAT: 'json' };
const { json } = cliWith(env);

test('a stored client and no config-file clients: the demo says "no clients in the config file", and the stored client signs in', { timeout: 90_000 }, async () => {
  const added = await json<{ client_id: string }>('clients', 'add', '--name', 'Portal', '--redirect-uri', 'http://localhost:8080/cb');
  child = await startProcess(env);
  for (let i = 0; i < 50 && !/demo app enabled/.test(child.output()); i += 1) await new Promise((r) => setTimeout(r, 100));
  assert.match(child.output(), /no clients in the config file: demo app enabled/);
  assert.doesNotMatch(child.output(), /no clients configured/);
  const home = await (await fetch(child.url, { headers: { 'accept-language': 'en' } })).text();
  assert.match(home, /Demo mode \(no clients in the config file\)/);

  const url = new URL('/auth', child.url);
  const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
  for (const [k, v] of Object.entries({ client_id: added.client_id, redirect_uri: 'http://localhost:8080/cb', response_type: 'code', scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' })) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 303, 'the stored client is served beside the demo app');
  assert.match(res.headers.get('location') ?? '', /^\/interaction\//);
});
