// The logger: pino, with secret-bearing keys redacted wherever they appear.
import pino, { type DestinationStream, type Logger } from 'pino';

export const redactPaths = [
  'authToken', '*.authToken', 'client_secret', '*.client_secret', 'password', '*.password',
  'code', '*.code_value', 'body', 'req.headers.authorization', 'req.headers.cookie',
];

export function createLogger(level: string, stream?: DestinationStream): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' } };
  return stream ? pino(options, stream) : pino(options);
}
