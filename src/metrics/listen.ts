// The metrics listener of `metrics.listen` (main.ts starts it): a second small HTTP server that
// serves only the metrics app, so the public port need not expose /metrics at all. An address it
// cannot bind stops the start, naming it.
import { createServer, type RequestListener, type Server } from 'node:http';
import { ConfigError } from '../config/load.ts';

export async function listenMetrics(app: RequestListener, at: { host: string; port: number }): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new ConfigError(`metrics.listen: cannot listen on ${at.host}:${at.port} (${(err as NodeJS.ErrnoException).code ?? err.message})`)));
    server.listen(at.port, at.host, () => resolve());
  });
  return server;
}
