// Reads codes the `outbox` connector wrote: the newest message to a number.
import { existsSync, readFileSync } from 'node:fs';

export interface OutboxLine { to: string; body: string; usage: string; locale: string; at: string }

export function outboxLines(path: string): OutboxLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as OutboxLine);
}

export function lastCode(path: string, to: string): string {
  const line = outboxLines(path).filter((l) => l.to === to).at(-1);
  if (!line) throw new Error(`no SMS to ${to} in ${path}`);
  const m = /#([0-9A-Z]+)\s*$/.exec(line.body);
  if (!m) throw new Error(`no code in SMS body: ${line.body}`);
  return m[1]!;
}
