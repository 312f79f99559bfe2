// `outbox` connector (development, tests): appends one JSON line per message to a file.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SmsConnector } from '../../types.ts';

export function create(config: { path: string }): SmsConnector {
  const file = resolve(config.path);
  let ready: Promise<unknown> | undefined;
  return {
    id: 'outbox',
    async send(msg) {
      ready ??= mkdir(dirname(file), { recursive: true });
      await ready;
      const line = { to: msg.to, body: msg.body, usage: msg.usage, locale: msg.locale ?? 'en', at: new Date().toISOString() };
      await appendFile(file, `${JSON.stringify(line)}\n`);
      return {};
    },
  };
}
