// A request Node's HTTP parser refuses (bad bytes, headers too large, a request line it cannot
// read) is answered 400 (431 for oversized headers, 408 for a request too slow to arrive) and logged as one line with the parser's
// code, never Node's "Parse Error" stack. A peer that went away is just closed.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

const GONE = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED']);
const STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export function answerClientErrors(server: Server, log: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (GONE.has(err.code ?? '') || !socket.writable) { socket.destroy(); return; }
    const status = STATUS[err.code ?? ''] ?? '400 Bad Request';
    log.warn({ reason: err.code ?? 'unknown', status: Number(status.slice(0, 3)) }, 'malformed HTTP request refused');
    const body = `${status.slice(4)}\n`;
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}
