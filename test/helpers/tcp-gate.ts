// A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL in the tests) that can hold traffic:
// while held, what clients send is kept back (the server sees nothing, so every query waits) and
// is forwarded in order on release. Connections are accepted throughout; answers always flow.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpGate {
  port: number;
  /** Keep back what clients send from now on. */
  hold(): void;
  /** Forward what was kept back, and everything after it. */
  release(): void;
  /** Connections with something kept back (while held: queries and connection starts waiting). */
  readonly waiting: number;
  close(): Promise<void>;
}

export async function startTcpGate(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpGate> {
  let held = false;
  const kept = new Map<Socket, { upstream: Socket; chunks: Buffer[] }>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    const entry = { upstream, chunks: [] as Buffer[] };
    kept.set(client, entry);
    client.on('data', (chunk: Buffer) => { if (held) entry.chunks.push(chunk); else upstream.write(chunk); });
    upstream.pipe(client);
    const end = () => { kept.delete(client); client.destroy(); upstream.destroy(); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    hold() { held = true; },
    release() {
      held = false;
      for (const entry of kept.values()) for (const chunk of entry.chunks.splice(0)) entry.upstream.write(chunk);
    },
    get waiting() { return [...kept.values()].filter((e) => e.chunks.length > 0).length; },
    async close() {
      for (const client of [...kept.keys()]) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
