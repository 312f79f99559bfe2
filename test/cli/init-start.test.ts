// A new operator's first minutes: `flowgate init` writes a starter config (never over an existing
// file), `flowgate config check` passes it, a real server starts on it, discovery answers and the
// client from init can start an authorization request. A client added with `clients add` while the
// server runs is served at once (its secret authenticates, a wrong one does not); removed, it is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import * as oidc from 'openid-client';
import { parse } from 'yaml';
import { schemaReference } from '../../src/cli/setup.ts';
import { checkJsonSchema } from '../helpers/json-schema-check.ts';
import { flowgate, stderrLines } from '../helpers/cli.ts';
import { startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-init-'));
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });

/** An authorization request of `clientId` as a browser sends it; where the server sends the browser. */
async function authorize(base: string, clientId: string, redirectUri: string): Promise<{ status: number; location: string | null }> {
  const url = new URL('/auth', base);
  const challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
  for (const [k, v] of Object.entries({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid phone', state: 'st', code_challenge: challenge, code_challenge_method: 'S256' })) {
    url.searchParams.set(k, v);
  }
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get('location') };
}

/** The token endpoint's answer to a made-up code: invalid_grant once the client authenticated, invalid_client otherwise. */
async function tokenError(base: string, clientId: string, secret: string, redirectUri: string): Promise<string> {
  const res = await fetch(new URL('/token', base), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'made-up', redirect_uri: redirectUri, code_verifier: 'v'.repeat(43) }),
  });
  return ((await res.json()) as { error: string }).error;
}

test('init → config check → the server starts on that file; the init client starts an authorization request', { timeout: 110_000 }, async () => {
  const file = join(dir, 'flowgate.yaml');
  const env = { DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}`, FLOWGATE_CONFIG: '' };
  const init = await flowgate(['init', '--file', file, '--redirect-uri', 'http://localhost:8080/callback', '--json'], env);
  assert.equal(init.code, 0, init.stderr);
  const made = JSON.parse(init.stdout) as { file: string; client_id: string; client_secret: string };
  assert.equal(made.client_id, 'my-app');
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split('\n')[0], `# yaml-language-server: $schema=${resolve('config.schema.json')}`, 'outside the repository: the absolute path');
  assert.match(text, /^# .*flowgate config check --file/m, 'commented');
  const config = parse(text) as { clients: Array<{ client_id: string; client_secret: string; redirect_uris: string[] }>; sms: { connectors: Array<{ type: string }> } };
  assert.equal(config.clients[0]!.client_secret, made.client_secret);
  assert.deepEqual(config.sms.connectors, [{ type: 'console' }]);
  assert.ok(!('firstParty' in config.clients[0]!), 'a new app gets the consent screen (README: "its client has no firstParty")');
  assert.match(readFileSync('README.md', 'utf8'), /init` writes a commented starter file of this shape .*\n.*its client has no `firstParty`/);
  assert.deepEqual(checkJsonSchema(JSON.parse(readFileSync('config.schema.json', 'utf8')), config), [], 'the starter file conforms to config.schema.json');
  assert.equal(statSync(file).mode & 0o077, 0, 'only its owner may read the secret');

  const again = await flowgate(['init', '--file', file], env);
  assert.equal(again.code, 1);
  assert.deepEqual(stderrLines(again), [`flowgate: ${file} exists already; init never overwrites it (choose another --file)`]);
  assert.equal(readFileSync(file, 'utf8'), text, 'the file is left alone');

  const check = await flowgate(['config', 'check', '--file', file], env);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^ok: .*flowgate\.yaml: 1 client, SMS via console, 5 flows \(sign-in: sign-in\)$/m);

  child = await startProcess({ ...env, FLOWGATE_CONFIG: file });
  const discovered = await oidc.discovery(new URL(child.url), made.client_id, made.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  assert.equal(discovered.serverMetadata().issuer, child.url);
  const url = oidc.buildAuthorizationUrl(discovered, {
    redirect_uri: 'http://localhost:8080/callback', scope: 'openid phone', state: 'st',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 303, await res.text());
  assert.match(res.headers.get('location') ?? '', /^\/interaction\/[\w-]+$/);
  const page = await fetch(new URL(res.headers.get('location')!, child.url), { headers: { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /name="phone"/, 'the phone page of the sign-in flow');
  assert.equal(await tokenError(child.url, made.client_id, made.client_secret, 'http://localhost:8080/callback'), 'invalid_grant', 'the init secret authenticates');

  // A client added on the command line is served by the running server at once, and refused once removed.
  const added = await flowgate(['clients', 'add', '--name', 'Later App', '--redirect-uri', 'http://localhost:8081/cb', '--json'], { ...env, FLOWGATE_CONFIG: file });
  assert.equal(added.code, 0, added.stderr);
  const later = JSON.parse(added.stdout) as { client_id: string; client_secret: string };
  const started = await authorize(child.url, later.client_id, 'http://localhost:8081/cb');
  assert.equal(started.status, 303);
  assert.match(started.location ?? '', /^\/interaction\//);
  assert.equal((await authorize(child.url, later.client_id, 'http://localhost:8081/other')).status, 400, 'its redirect URIs are matched exactly');
  assert.equal(await tokenError(child.url, later.client_id, later.client_secret, 'http://localhost:8081/cb'), 'invalid_grant', 'its secret authenticates');
  assert.equal(await tokenError(child.url, later.client_id, `${later.client_secret}x`, 'http://localhost:8081/cb'), 'invalid_client', 'another secret does not');
  const removed = await flowgate(['clients', 'remove', '--id', later.client_id], { ...env, FLOWGATE_CONFIG: file });
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await authorize(child.url, later.client_id, 'http://localhost:8081/cb')).status, 400, 'a removed client starts nothing');
  assert.equal(await tokenError(child.url, later.client_id, later.client_secret, 'http://localhost:8081/cb'), 'invalid_client');
  assert.doesNotMatch(child.output(), new RegExp(made.client_secret), 'the server never logs a client secret');
});

test('init writes an odd but valid redirect URI as one value, and refuses a URL that would change the file', { timeout: 60_000 }, async () => {
  const file = join(dir, 'comma.yaml');
  const made = await flowgate(['init', '--file', file, '--redirect-uri', 'https://app.example.com/cb,https://evil.example.com/x'], {});
  assert.equal(made.code, 0, made.stderr);
  const config = parse(readFileSync(file, 'utf8')) as { clients: Array<{ redirect_uris: string[] }> };
  assert.deepEqual(config.clients[0]!.redirect_uris, ['https://app.example.com/cb,https://evil.example.com/x'], 'one redirect URI, not two');
  for (const [option, value] of [['--issuer', 'http://localhost:3000/\nclients: []'], ['--redirect-uri', 'https://app.example.com/cb\n    adminApi: true'], ['--redirect-uri', 'https://app.example.com/cb#x']]) {
    const run = await flowgate(['init', '--file', join(dir, 'refused.yaml'), option!, value!], {});
    assert.equal(run.code, 2, `${option} ${JSON.stringify(value)}: ${run.stdout}`);
    assert.equal(stderrLines(run).length, 1, run.stderr);
  }
  assert.throws(() => statSync(join(dir, 'refused.yaml')), /ENOENT/, 'nothing written');
});

test('the schema reference is relative to a file written inside the repository', { timeout: 10_000 }, () => {
  assert.equal(schemaReference('flowgate.yaml'), './config.schema.json');
  assert.equal(schemaReference('deploy/flowgate.yaml'), '../config.schema.json');
  assert.equal(schemaReference(join(dir, 'x.yaml')), resolve('config.schema.json'));
});
