// GET /interaction/:uid/sms-status, the code page's poll: "sent" while the interaction runs, and a
// plain "ended" (200, no error page) once the code has been accepted, as the page may still be
// polling while it submits; an unknown uid gets the same answer and learns nothing.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
after(async () => { await server?.close(); });

test('sms-status answers sent while the code page is open and ended after the code was accepted', { timeout: 60_000 }, async () => {
  const srv = await startServer();
  server = srv;
  const { browser, page, code } = await toCodePage(srv, REGISTERED);
  const statusUrl = /data-status-url="([^"]+)"/.exec(page.html)?.[1];
  assert.ok(statusUrl, 'the code page names its status endpoint');
  const json = { accept: 'application/json' };
  const deadline = Date.now() + 10_000;
  let body: { status: string } = { status: 'pending' };
  while (body.status === 'pending' && Date.now() < deadline) {
    const res = await browser.request(statusUrl, { headers: json });
    assert.equal(res.status, 200);
    body = JSON.parse(res.html);
    if (body.status === 'pending') await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(body.status, 'sent');

  const done = await submitCode(browser, page, await code());
  assert.match(done.location ?? '', /^https:\/\/app\.example\.com\/callback\?code=/, 'signed in');
  const ended = await browser.request(statusUrl, { headers: json });
  assert.equal(ended.status, 200, 'no error in the console of a page that is being left');
  assert.deepEqual(JSON.parse(ended.html), { status: 'ended' });

  const stranger = await browser.request(statusUrl.replace(/interaction\/[^/]+/, 'interaction/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), { headers: json });
  assert.deepEqual([stranger.status, JSON.parse(stranger.html)], [200, { status: 'ended' }]);
});
