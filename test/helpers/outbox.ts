// Reads what the `outbox` connector wrote. Sending is queued off the request path, so readers
// first let an in-process server's queue settle, or poll the file of a server in another process.
import { existsSync, readFileSync } from 'node:fs';
import type { TestServer } from './server.ts';

export interface OutboxLine { to: string; body: string; usage: string; locale: string; at: string }

export function outboxLines(path: string): OutboxLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxLine);
}

/** The messages so far, once everything queued has been tried. */
export async function outboxLinesOf(server: TestServer): Promise<OutboxLine[]> {
  await server.flowgate.drainSms();
  return outboxLines(server.outbox);
}

function codeOf(line: OutboxLine): string {
  const m = /#([0-9A-Z]+)\s*$/.exec(line.body);
  if (!m) throw new Error(`no code in SMS body: ${line.body}`);
  return m[1]!;
}

/** The newest code sent to a number: from an in-process server (after its queue settles) or a file another process writes. */
export async function lastCode(source: TestServer | string, to: string): Promise<string> {
  if (typeof source !== 'string') {
    const line = (await outboxLinesOf(source)).filter((l) => l.to === to).at(-1);
    if (!line) throw new Error(`no SMS to ${to} in ${source.outbox}`);
    return codeOf(line);
  }
  for (let waited = 0; ; waited += 50) {
    const line = outboxLines(source).filter((l) => l.to === to).at(-1);
    if (line) return codeOf(line);
    if (waited > 10_000) throw new Error(`no SMS to ${to} in ${source}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
