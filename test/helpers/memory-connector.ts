// An SMS connector for the Chromium tours: refuses messages to the numbers in `failing` (a phone
// network refusing them is the one thing a test fakes) and keeps the others, with their codes, in memory.
import { SmsError, type SmsConnector, type SmsMessage } from '../../src/sms/types.ts';

export function memoryConnector(failing: Set<string>) {
  const sent: SmsMessage[] = [];
  const connector: SmsConnector = {
    id: 'memory',
    async send(msg) {
      if (failing.has(msg.to)) throw new SmsError('rejected', 'test: refused');
      sent.push(msg);
      return {};
    },
  };
  const code = async (phone: string) => {
    const body = sent.filter((m) => m.to === phone).at(-1)?.body;
    const m = body ? /#([0-9A-Z]+)\s*$/.exec(body) : null;
    if (!m) throw new Error(`no code sent to ${phone}`);
    return m[1]!;
  };
  return { connector, code, sent };
}
