// A real server process, restarted between login and refresh: keys and tokens survive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as oidc from 'openid-client';
import { stringify } from 'yaml';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { lastCode } from '../helpers/outbox.ts';
import { freePort, runCommand, startProcess, type Child } from '../helpers/process.ts';
import { CLIENT } from '../helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-restart-'));
const outbox = join(dir, 'outbox.jsonl');
const configFile = join(dir, 'flowgate.yaml');
writeFileSync(configFile, stringify({
  appName: 'Restart Test',
  clients: [CLIENT],
  sms: { connectors: [{ type: 'outbox', path: outbox }] },
  logLevel: 'warn',
}));
const env = { FLOWGATE_CONFIG: configFile, DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}` };
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });

test('the CLI adds a user; after a restart the JWKS kid is the same and the refresh token works', async () => {
  const added = await runCommand(['--import', 'tsx', 'src/cli.ts', 'users', 'add', '--phone', '(202) 555-0142', '--name', 'Cli User'], env);
  assert.equal(added.code, 0, added.out);
  assert.match(added.out, /created user .* with phone \+12025550142/);
  const dup = await runCommand(['--import', 'tsx', 'src/cli.ts', 'users', 'add', '--phone', '+12025550142'], env);
  assert.equal(dup.code, 1);
  assert.match(dup.out, /exists already/);

  const port = await freePort();
  child = await startProcess(env, port);
  const kid1 = ((await (await fetch(`${child.url}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys[0]!.kid;
  const config = await oidc.discovery(new URL(child.url), CLIENT.client_id, CLIENT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone profile', state: 'st',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const browser = new Browser(child.url);
  const phonePage = await browser.go(url.href);
  const codePage = await browser.go(formAction(phonePage.html, '/steps/'), { form: { csrf: csrfOf(phonePage.html), phone: '+12025550142', then: 'sms' } });
  const back = await browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), code: await lastCode(outbox, '+12025550142') } });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 'st' });
  assert.equal(tokens.claims()?.name, 'Cli User');
  assert.match(await lastCode(outbox, '+12025550142'), /^\d{6}$/);

  await child.stop();
  child = await startProcess(env, port);
  const kid2 = ((await (await fetch(`${child.url}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys[0]!.kid;
  assert.equal(kid2, kid1, 'the signing key survives a restart');
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.equal(refreshed.claims()?.sub, tokens.claims()?.sub);
  const info = await oidc.fetchUserInfo(config, refreshed.access_token, tokens.claims()!.sub);
  assert.equal(info.phone_number, '+12025550142');
});

test('start-up refuses bad configuration with a message naming the key', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, stringify({ clients: [{ client_id: 'x', redirect_uris: ['not a url'] }] }));
  const res = await runCommand(['--import', 'tsx', 'src/main.ts'], { FLOWGATE_CONFIG: bad, PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'bad.db')}` });
  assert.equal(res.code, 1);
  assert.match(res.out, /bad.yaml: clients.0.redirect_uris.0: /);

  const prod = await runCommand(['--import', 'tsx', 'src/main.ts'], { FLOWGATE_CONFIG: configFile, NODE_ENV: 'production', PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'prod.db')}` });
  assert.equal(prod.code, 1);
  assert.match(prod.out, /'outbox' is for development/);
});
