// Secrets never reach the log: a whole login at debug level, then the log is searched.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { createLogger } from '../../src/log.ts';

let logged = '';
const sink = new Writable({ write(chunk, _enc, done) { logged += String(chunk); done(); } });
let server: TestServer;
before(async () => { server = await startServer({ log: createLogger('debug', sink) }); });
after(async () => { await server.close(); });

test('a login at debug level logs the send but no code, message body or client secret', async () => {
  const { browser, page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  await submitCode(browser, page, '000000' === right ? '111111' : '000000');
  const done = await submitCode(browser, page, right);
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!));
  assert.match(logged, /sms sent/, 'the log is being written');
  assert.ok(!logged.includes(right), 'no code in the log');
  assert.ok(!logged.includes('sign-in code'), 'no message body in the log');
  assert.ok(!logged.includes(CLIENT.client_secret), 'no client secret in the log');
});
