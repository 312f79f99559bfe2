// LOG_FORMAT=pretty: pino's JSON lines (already redacted) as one readable line each —
// `12:30:01.234 INFO  flowgate listening issuer=http://localhost:3000 port=3000` — with an error's
// stack indented under its line. Colours only when asked (main.ts: a terminal, and NO_COLOR unset).
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'], 20: ['DEBUG', '36'], 30: ['INFO ', '32'], 40: ['WARN ', '33'], 50: ['ERROR', '31'], 60: ['FATAL', '35'],
};
/** pino's own fields: shown in the line's head (time, level, msg) or left out (pid, hostname, v). */
const HEAD = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/** Terminal control characters JSON leaves as they are (DEL, C1: U+009B is a CSI) escaped, so a logged value cannot drive the terminal. */
const inert = (text: string) => text.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A value as `key=value` shows it: bare when it is a plain word, JSON otherwise. */
function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=\\\u0000-\u001f\u007f-\u009f]+$/.test(value) ? value : inert(JSON.stringify(value));
  return inert(JSON.stringify(value) ?? String(value));
}

function clock(time: unknown): string {
  const d = new Date(typeof time === 'number' ? time : Date.now());
  return d.toISOString().slice(11, 23);
}

/** One record as its line (and an error's stack under it). Not JSON: passed through as it is. */
export function formatRecord(line: string, colour = false): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const [name, tint] = LEVELS[rec.level as number] ?? [String(rec.level).padEnd(5), '0'];
  const level = colour ? `\u001b[${tint}m${name}\u001b[0m` : name;
  const parts = [clock(rec.time), level, typeof rec.msg === 'string' ? (/[\u0000-\u001f\u007f-\u009f]/.test(rec.msg) ? show(rec.msg) : rec.msg) : ''];
  let stack = '';
  for (const [key, value] of Object.entries(rec)) {
    if (HEAD.has(key)) continue;
    const err = value as { type?: unknown; message?: unknown; stack?: unknown } | null;
    if ((key === 'err' || key === 'error') && err && typeof err === 'object' && typeof err.message === 'string') {
      parts.push(`${key}=${show(err.message)}`);
      if (typeof err.stack === 'string') stack = err.stack.split('\n').slice(1).map((l) => `    ${inert(l.trim()).replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1))}\n`).join('');
      continue;
    }
    parts.push(`${key}=${show(value)}`);
  }
  return `${parts.filter(Boolean).join(' ')}\n${stack}`;
}

/** A destination for pino that writes each record pretty to `out`. */
export function prettyStream(out: DestinationStream | NodeJS.WritableStream, colour = false): DestinationStream {
  return { write: (line: string) => { out.write(formatRecord(line, colour)); } };
}
