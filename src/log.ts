// The logger: pino, with secret-bearing keys redacted wherever they appear. Two formats, the same
// records and the same redaction: `json` (one JSON object a line, for collectors) and `pretty`
// (one readable line a record, for a person at a terminal; src/log-pretty.ts).
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyStream } from './log-pretty.ts';

export const redactPaths = [
  'authToken', '*.authToken', 'client_secret', '*.client_secret', 'password', '*.password',
  'code', '*.code_value', 'body', 'req.headers.authorization', 'req.headers.cookie',
];

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/**
 * A logger at `level` writing to `stream` (default stdout). `pretty` reformats pino's JSON lines
 * after redaction, so both formats hide exactly the same values.
 */
export function createLogger(level: string, stream?: DestinationStream, format: LogFormat = 'json', colour = false): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' } };
  if (format === 'pretty') return pino(options, prettyStream(stream ?? process.stdout, colour));
  return stream ? pino(options, stream) : pino(options);
}
