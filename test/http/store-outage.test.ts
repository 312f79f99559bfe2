// A PostgreSQL outage as a person and an app see it: every page and API answers 503 with a
// "temporary problem, try again in a moment" page (no technical detail) and Retry-After; when the
// database is back the same server works again without a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/index.ts';
import { Browser } from '../helpers/browser.ts';
import { authUrl } from '../helpers/login.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { CLIENT, startServer, type TestServer } from '../helpers/server.ts';

let pg: PgServer;
let server: TestServer;
before(async () => {
  pg = await startPostgres();
  server = await startServer({ store: await openPostgresStore(await pg.createDatabase(), { connectTimeoutMs: 2000 }) });
});
after(async () => {
  await server?.close();
  await pg?.destroy();
});

const TEMPORARY = 'This is a temporary problem on our side. Please try again in a moment.';

test('during an outage the sign-in pages and the token endpoint answer 503 (try again), and recover when the database returns', { timeout: 120_000 }, async (t) => {
  const browser = new Browser(server.url);
  const phonePage = await browser.go(authUrl(server));
  assert.equal(phonePage.status, 200);
  const interaction = phonePage.url;

  await pg.stopServer();
  const started = Date.now();
  try {
    // A new sign-in, and the person's own sign-in page (with its cookie).
    for (const [url, send] of [[authUrl(server, { state: 'st-2' }), new Browser(server.url)], [interaction, browser]] as const) {
      const res = await send.request(url, { headers: { accept: 'text/html', 'accept-language': 'en' } });
      assert.equal(res.status, 503, url);
      assert.equal(res.headers.get('retry-after'), '2');
      const html = res.html;
      assert.ok(html.includes(TEMPORARY), html.slice(0, 400));
      assert.doesNotMatch(html, /ECONN|postgres|57P0|store_unavailable/i);
    }
    const de = await fetch(authUrl(server, { state: 'st-3', ui_locales: 'de' }), { redirect: 'manual' });
    assert.equal(de.status, 503);
    assert.ok((await de.text()).includes('Das ist ein vorübergehendes Problem bei uns.'));
    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x'.repeat(43), redirect_uri: CLIENT.redirect_uris[0]! }),
    });
    assert.equal(token.status, 503);
    assert.equal(token.headers.get('retry-after'), '2');
    const health = await fetch(`${server.url}/health`, { headers: { accept: 'text/html' } });
    assert.deepEqual([health.status, health.headers.get('content-type')?.split(';')[0], await health.json()],
      [503, 'application/json', { status: 'unavailable' }], 'a load balancer reads JSON, whatever it asks for');
    t.diagnostic(`four requests during the outage answered 503 in ${Date.now() - started} ms`);
  } finally {
    await pg.startServer();
  }
  const again = await new Browser(server.url).go(authUrl(server, { state: 'st-4' }));
  assert.equal(again.status, 200);
  assert.ok(again.html.includes('autocomplete="tel"'));
});

test('a NUL character in a token, code or client id finds nothing: the usual 400, never a 500 (PostgreSQL text cannot hold one)', { timeout: 60_000 }, async () => {
  const basic = `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`;
  const post = (path: string, body: Record<string, string>) => fetch(`${server.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams(body),
  });
  const code = await post('/token', { grant_type: 'authorization_code', code: 'abc\u0000def', redirect_uri: CLIENT.redirect_uris[0]! });
  assert.deepEqual([code.status, (await code.json()).error], [400, 'invalid_grant']);
  const refresh = await post('/token', { grant_type: 'refresh_token', refresh_token: 'abc\u0000def' });
  assert.deepEqual([refresh.status, (await refresh.json()).error], [400, 'invalid_grant']);
  const introspection = await post('/token/introspection', { token: 'abc\u0000def' });
  assert.deepEqual([introspection.status, (await introspection.json()).active], [200, false]);
  const auth = await fetch(authUrl(server, { client_id: 'test\u0000app' }), { headers: { accept: 'text/html' }, redirect: 'manual' });
  assert.equal(auth.status, 400, 'an unknown client');
});
