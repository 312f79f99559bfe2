// Kill the server (SIGKILL) while a message is being sent: once its lease expires the restarted server
// sends it, and the code works.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { freePort, startProcess, type Child } from '../helpers/process.ts';
import { CLIENT, REGISTERED } from '../helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-queue-restart-'));
let answering = false;
const bodies: string[] = [];
const held: ServerResponse[] = [];
const twilio = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    bodies.push(new URLSearchParams(body).get('Body') ?? '');
    if (!answering) { held.push(res); return; }
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${'b'.repeat(32)}`, status: 'queued' }));
  });
});
let child: Child | undefined;
after(async () => {
  await child?.stop();
  for (const res of held) res.destroy();
  twilio.closeAllConnections();
  twilio.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a message queued when the server is killed is sent after the restart', { timeout: 60_000 }, async () => {
  twilio.listen(0, '127.0.0.1');
  await once(twilio, 'listening');
  const configFile = join(dir, 'flowgate.yaml');
  writeFileSync(configFile, stringify({
    clients: [CLIENT],
    users: [{ phone: REGISTERED }],
    logLevel: 'warn',
    sms: {
      connectors: [{ type: 'twilio', accountSid: `AC${'2'.repeat(32)}`, authToken: 'tok', from: '+15005550006', apiBaseUrl: `http://127.0.0.1:${(twilio.address() as AddressInfo).port}`, timeoutMs: 60_000 }],
      // A short lease: the killed process holds the message that long, then the restarted one takes it over.
      delivery: { timeoutMs: 60_000, retries: 0, leaseMs: 1_000 },
    },
  }));
  const env = { FLOWGATE_CONFIG: configFile, DATABASE_URL: `sqlite:${join(dir, 'flowgate.db')}` };
  const port = await freePort();
  child = await startProcess(env, port);
  const browser = new Browser(child.url);
  const phonePage = await browser.go(`${child.url}/auth?${new URLSearchParams({
    client_id: CLIENT.client_id, response_type: 'code', redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid phone', state: 's',
  })}`);
  const codePage = await browser.go(formAction(phonePage.html, '/steps/'), { form: { csrf: csrfOf(phonePage.html), phone: REGISTERED, then: 'sms' } });
  assert.equal(codePage.status, 200);
  while (bodies.length === 0) await new Promise((r) => setTimeout(r, 20));

  child.proc.kill('SIGKILL');
  await once(child.proc, 'exit');
  answering = true;
  child = await startProcess(env, port);
  while (bodies.length < 2) await new Promise((r) => setTimeout(r, 20));
  assert.equal(bodies[1], bodies[0], 'the same message, sent again after the restart');
  const code = /#(\d{6})$/.exec(bodies[1]!)![1]!;
  const done = await browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), code } });
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!), `the code works after the restart: ${done.status}`);
});
