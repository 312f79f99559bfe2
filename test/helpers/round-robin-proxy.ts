// A load balancer for tests and the bench: one loopback port forwarding each request to the next
// backend in turn (strict alternation per request, never per connection: a keep-alive client gets
// a different instance on every request), keeping Host (the issuer's host) and adding
// X-Forwarded-For/-Proto only when asked (as for a flowgate with `trustProxy`). It records which
// backend answered each request. node:http only, so the bench imports it as the tests do.
// With `failover` it is an active/passive balancer instead: every request goes to the first backend
// that accepts its connection; one that refuses it (the request never reached it) is skipped, as
// nginx's `proxy_next_upstream error` does.
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Routed {
  /** Index into the proxy's backends. */
  backend: number;
  method: string;
  path: string;
  /** The client connection it came on (1, 2, … in order of arrival). */
  connection: number;
  /** The backend's status, or 502 when it could not be reached. */
  status?: number;
  /** With `failover`: the backends that refused the connection before `backend` answered. */
  refused?: number[];
}

export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>`: the issuer of every backend. */
  url: string;
  readonly backends: readonly string[];
  /** Requests sent to each backend so far (by index). */
  readonly counts: number[];
  /** Every request so far, in order of arrival. */
  readonly log: readonly Routed[];
  /** The backend the next request goes to. */
  readonly next: number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Add X-Forwarded-For (the client's address) and X-Forwarded-Proto (http); set it when flowgate has `trustProxy`. */
  forwarded?: boolean;
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Send each request to the first backend that accepts the connection, not in turn. */
  failover?: boolean;
}

// Connection-level headers end at the proxy (RFC 9110 §7.6.1); the rest goes through unchanged.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

export async function startRoundRobinProxy(backends: readonly string[], opts: ProxyOptions = {}): Promise<RoundRobinProxy> {
  if (backends.length === 0) throw new Error('round-robin proxy: no backends');
  const targets = backends.map((b) => new URL(b));
  // Keep-alive towards each backend (as a real balancer pools its upstream connections).
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 256 }));
  const counts = backends.map(() => 0);
  const log: Routed[] = [];
  let turn = 0;
  let connections = 0;
  const connectionIds = new WeakMap<Socket, number>();

  const server = createServer((req, res) => {
    const backend = opts.failover ? 0 : turn;
    if (!opts.failover) turn = (turn + 1) % targets.length;
    const entry: Routed = { backend, method: req.method ?? 'GET', path: req.url ?? '/', connection: connectionIds.get(req.socket) ?? 0 };
    log.push(entry);
    const headers = endToEnd(req.headers);
    if (opts.forwarded) {
      const prior = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = [prior, req.socket.remoteAddress].filter(Boolean).join(', ');
      headers['x-forwarded-proto'] = 'http';
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => { send(backend); });

    function send(to: number): void {
      entry.backend = to;
      counts[to]! += 1;
      const target = targets[to]!;
      const up = request({
        host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: agents[to],
      }, (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, { ...endToEnd(answer.headers), 'x-backend': String(to) });
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        if (opts.failover && err.code === 'ECONNREFUSED' && to + 1 < targets.length) {
          counts[to]! -= 1;
          (entry.refused ??= []).push(to);
          send(to + 1);
          return;
        }
        entry.status = 502;
        if (res.headersSent) { res.destroy(); return; }
        res.writeHead(502, { 'content-type': 'text/plain', 'x-backend': String(to) }).end('bad gateway\n');
      });
      up.end(Buffer.concat(chunks));
    }
  });
  server.on('connection', (socket: Socket) => { connections += 1; connectionIds.set(socket, connections); });
  server.listen(opts.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    counts,
    log,
    get next() { return turn; },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const agent of agents) agent.destroy();
    },
  };
}
