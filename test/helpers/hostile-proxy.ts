// A front proxy that lies: forwards every request to a server with a Host (and X-Forwarded-Host,
// X-Forwarded-Proto) of its choosing, so tests can drive real pages through a poisoned Host.
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileProxy { url: string; close(): Promise<void> }

export async function startHostileProxy(target: string, headers: IncomingHttpHeaders): Promise<HostileProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const up = request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
      headers: { ...req.headers, ...headers },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => { res.writeHead(502).end(); });
    req.pipe(up);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One raw request (any Host header, any request-target such as the absolute form `http://evil.example/x`). */
export async function rawRequest(target: string, path: string, headers: IncomingHttpHeaders = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const url = new URL(target);
  const req = request({ host: url.hostname, port: url.port, method: 'GET', path, headers });
  req.end();
  const [res] = await once(req, 'response') as [import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}
