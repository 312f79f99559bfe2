// LOG_FORMAT: which format is chosen (terminal, production, the variable), what a pretty line looks
// like, and that both formats redact exactly the same fields.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, logFormats, type LogFormat } from '../../src/log.ts';
import { formatRecord } from '../../src/log-pretty.ts';
import { logFormatFromEnv } from '../../src/runtime.ts';

function capture(format: LogFormat) {
  let text = '';
  const sink = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  return { log: createLogger('debug', sink, format), text: () => text };
}

test('pretty on a terminal outside production, JSON otherwise; LOG_FORMAT overrides; a bad value is refused', () => {
  assert.equal(logFormatFromEnv({}, true), 'pretty');
  assert.equal(logFormatFromEnv({}, false), 'json');
  assert.equal(logFormatFromEnv({ NODE_ENV: 'production' }, true), 'json');
  assert.equal(logFormatFromEnv({ LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormatFromEnv({ LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, false), 'pretty');
  assert.throws(() => logFormatFromEnv({ LOG_FORMAT: 'yaml' }, true), /^ConfigError: LOG_FORMAT: 'yaml' is not a log format; use json or pretty$/);
});

test('a pretty line: time, level, message, then key=value (quoted only when needed)', () => {
  const line = formatRecord(JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, hostname: 'h', msg: 'flowgate listening', port: 3000, issuer: 'http://localhost:3000', note: 'two words', flags: { a: 1 } }));
  assert.equal(line, '03:04:05.006 INFO  flowgate listening port=3000 issuer=http://localhost:3000 note="two words" flags={"a":1}\n');
  const warn = formatRecord(JSON.stringify({ level: 40, time: 0, msg: 'slow', ms: 12 }), true);
  assert.equal(warn, '00:00:00.000 \u001b[33mWARN \u001b[0m slow ms=12\n');
  assert.equal(formatRecord('not json'), 'not json\n');
  const hostile = formatRecord(JSON.stringify({ level: 40, time: 0, msg: 'x\u001b[2J', reason: '\u001b]0;pwned\u0007', sid: 'a\u009b31m', ok: 'plain' }));
  assert.equal(hostile, '00:00:00.000 WARN  "x\\u001b[2J" reason="\\u001b]0;pwned\\u0007" sid="a\\u009b31m" ok=plain\n', 'a logged value cannot drive the terminal');
});

test("a pretty error: its message on the line, its stack indented under it", () => {
  const { log, text } = capture('pretty');
  log.error({ err: new Error('boom') }, 'request failed');
  const [first, second] = text().split('\n');
  assert.match(first!, /ERROR request failed err=boom$/);
  assert.match(second!, /^ {4}at /);
});

test('both formats redact the same fields', () => {
  const secrets = {
    client_secret: 'S-top-1', password: 'P-top-1', authToken: 'A-top-1', code: '123456', body: 'Your code is 123456',
    connector: { client_secret: 'S-in-2', password: 'P-in-2', authToken: 'A-in-2' },
    req: { headers: { authorization: 'Bearer T-3', cookie: 'sid=C-4' } },
  };
  const redactedIn: Record<string, number> = {};
  for (const format of logFormats) {
    const { log, text } = capture(format);
    log.info(secrets, 'with secrets');
    for (const value of ['S-top-1', 'P-top-1', 'A-top-1', '123456', 'S-in-2', 'P-in-2', 'A-in-2', 'T-3', 'C-4']) {
      assert.ok(!text().includes(value), `${format}: ${value} is redacted:\n${text()}`);
    }
    redactedIn[format] = text().split('[redacted]').length - 1;
  }
  assert.equal(redactedIn.pretty, redactedIn.json);
  assert.equal(redactedIn.json, 10);
});
