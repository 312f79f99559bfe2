// `console` connector (development): prints each message under a banner on stdout.
import type { SmsConnector } from '../../types.ts';

export function create(_config: unknown, write: (s: string) => void = (s) => process.stdout.write(s)): SmsConnector {
  return {
    id: 'console',
    async send(msg) {
      const bar = '─'.repeat(60);
      write(`\n${bar}\n SMS (console connector, development only) to ${msg.to} [${msg.usage}]\n${bar}\n${msg.body}\n${bar}\n\n`);
      return {};
    },
  };
}

export { create as createConsoleConnector };
