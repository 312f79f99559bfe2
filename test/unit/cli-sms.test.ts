// `flowgate sms test --to`: sends a generic message through the chain and says what happened.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { runCommand } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-cli-sms-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('sms test fails over from an unreachable webhook to the outbox and prints it; refused numbers call no provider', async () => {
  const outbox = join(dir, 'outbox.jsonl');
  const config = join(dir, 'flowgate.yaml');
  writeFileSync(config, stringify({
    appName: 'Acme',
    sms: {
      connectors: [
        { type: 'webhook', url: 'http://127.0.0.1:9/send', headers: { 'x-api-key': 'webhook-secret-value' }, bodyTemplate: { to: '{{to}}', text: '{{body}}' } },
        { type: 'outbox', path: outbox },
      ],
      delivery: { retries: 0, timeoutMs: 2000 },
    },
  }));
  const env = { FLOWGATE_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'db.db')}` };
  const ok = await runCommand(['--import', 'tsx', 'src/cli.ts', 'sms', 'test', '--to', '(202) 555-0123'], env);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /sent to \+12025550123 via outbox/);
  assert.match(ok.out, /"msg":"sms failover"/);
  assert.doesNotMatch(ok.out, /webhook-secret-value/);
  const line = JSON.parse(readFileSync(outbox, 'utf8').trim()) as { usage: string; body: string };
  assert.equal(line.usage, 'generic');
  assert.match(line.body, /^\[test\] .*Acme/);

  const refused = await runCommand(['--import', 'tsx', 'src/cli.ts', 'sms', 'test', '--to', '+1 800 555 0100'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.out, /may not receive SMS: it is not a mobile number .*\(type_not_allowed\); no provider was called/);
  assert.equal(readFileSync(outbox, 'utf8').trim().split('\n').length, 1);
});

test('sms test --connector <index> sends through that connector only (no failover); an index out of range is refused', async () => {
  const outbox = join(dir, 'outbox-connector.jsonl');
  const config = join(dir, 'flowgate-connector.yaml');
  writeFileSync(config, stringify({
    appName: 'Acme',
    sms: {
      connectors: [
        { type: 'outbox', path: outbox },
        { type: 'webhook', url: 'http://127.0.0.1:9/send', bodyTemplate: { to: '{{to}}', text: '{{body}}' } },
      ],
      delivery: { retries: 0, timeoutMs: 2000 },
    },
  }));
  const env = { FLOWGATE_CONFIG: config, DATABASE_URL: `sqlite:${join(dir, 'db-connector.db')}` };
  const failed = await runCommand(['--import', 'tsx', 'src/cli.ts', 'sms', 'test', '--to', '+12025550123', '--connector', '1'], env);
  assert.equal(failed.code, 1, failed.out);
  assert.match(failed.out, /not sent to \+12025550123: unavailable \(the connector failed; details above\)/);
  assert.doesNotMatch(failed.out, /sms failover/);
  assert.throws(() => readFileSync(outbox, 'utf8'), /ENOENT/);
  const out = await runCommand(['--import', 'tsx', 'src/cli.ts', 'sms', 'test', '--to', '+12025550123', '--connector', '7'], env);
  assert.equal(out.code, 2);
  assert.match(out.out, /no connector 7 in sms\.connectors/);
});
