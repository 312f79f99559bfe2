// Secrets never reach the log: a whole login at debug level, then the log is searched — in both
// log formats (LOG_FORMAT=json and pretty share pino's redaction: pretty reformats redacted lines).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { submitCode, toCodePage } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';
import { createLogger, logFormats } from '../../src/log.ts';

const servers: TestServer[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

for (const format of logFormats) {
  test(`LOG_FORMAT=${format}: a login at debug level logs the send but no code, message body, client secret or phone number`, { timeout: 60_000 }, async () => {
    let logged = '';
    const sink = new Writable({ write(chunk, _enc, done) { logged += String(chunk); done(); } });
    const server = await startServer({ log: createLogger('debug', sink, format) });
    servers.push(server);
    const { browser, page, code } = await toCodePage(server, REGISTERED);
    const right = await code();
    await submitCode(browser, page, '000000' === right ? '111111' : '000000');
    const done = await submitCode(browser, page, right);
    assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!));
    assert.match(logged, /sms sent/, 'the log is being written');
    assert.ok(!logged.includes(right), 'no code in the log');
    assert.ok(!logged.includes('sign-in code'), 'no message body in the log');
    assert.ok(!logged.includes(CLIENT.client_secret), 'no client secret in the log');
    assert.ok(!logged.includes(REGISTERED.slice(2)), 'no phone number in the log');
    const lines = logged.trimEnd().split('\n');
    if (format === 'json') assert.ok(lines.every((l) => l.startsWith('{')), 'one JSON object a line');
    else assert.ok(lines.every((l) => /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/.test(l) || /^ {4}\S/.test(l)), logged.slice(0, 800));
  });
}
