// Starts a real flowgate on 127.0.0.1 (random port) with a real SQLite file and an outbox file.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createFlowgate, type Flowgate } from '../../src/app.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import type { SmsConnector } from '../../src/sms/types.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { Store } from '../../src/store/types.ts';

export const CLIENT = {
  client_id: 'test-app',
  client_secret: 'test-secret-0123456789abcdef',
  redirect_uris: ['https://app.example.com/callback'],
  post_logout_redirect_uris: ['https://app.example.com/'],
  grant_types: ['authorization_code', 'refresh_token'],
  firstParty: true,
};

/**
 * Limits loose enough for tests that sign the same number in many times in a row; tests of the
 * limits themselves pass `config: { limits: {} }` (the defaults) or their own.
 */
export const LOOSE_LIMITS = {
  sms: { cooldownSeconds: 0, perNumber: { hour: 10_000, day: 10_000 }, perIp: { hour: 10_000, day: 10_000 },
    perPrefix: { distinctNumbers: 10_000 } },
  guessing: { lockoutAfter: 50, hardLockAfter: 1000, failuresPerIpPerHour: 100_000 },
};

export const REGISTERED = '+12025550100';
export const UNREGISTERED = '+12025550199';

export interface TestServer {
  url: string;
  dir: string;
  outbox: string;
  store: Store;
  flowgate: Flowgate;
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Record<string, unknown>;
  dir?: string;
  connectors?: SmsConnector[];
  now?: () => number;
  keepDir?: boolean;
  log?: Logger;
  /** The issuer URL; defaults to the server's own http URL (an https issuer here stands for a TLS proxy in front). */
  issuer?: string;
  /** Where the config's relative paths start (branding files, viewsDir), as main.ts passes the config file's directory. */
  configDir?: string;
  /** A store to run on instead of a SQLite file in `dir` (e.g. a PostgreSQL one); close() closes it. */
  store?: Store;
  /** Wraps the opened store (e.g. with latency, as a network store has: see test/helpers/latency.ts). */
  wrapStore?: (store: Store) => Store;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'flowgate-test-'));
  const outbox = join(dir, 'outbox.jsonl');
  const config = parseConfig({
    clients: [CLIENT],
    sms: { connectors: [{ type: 'outbox', path: outbox }] },
    users: [{ phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' }],
    logLevel: 'silent',
    limits: LOOSE_LIMITS,
    ...opts.config,
  }, 'test-config');
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const opened = opts.store ?? openSqliteStore(join(dir, 'flowgate.db'));
  const store = opts.wrapStore ? opts.wrapStore(opened) : opened;
  let flowgate: Flowgate;
  try {
    flowgate = await createFlowgate({
      config,
      runtime: { issuer: opts.issuer ?? url, port: 0, databaseUrl: `sqlite:${join(dir, 'flowgate.db')}`, production: false },
      store,
      log: opts.log ?? createLogger('silent'),
      ...(opts.connectors ? { connectors: opts.connectors } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.configDir ? { configDir: opts.configDir } : {}),
    });
  } catch (err) {
    // A refused start-up (bad flows, templates, …) leaves nothing open behind it.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    if (!opts.keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  server.on('request', flowgate.app);
  return {
    url, dir, outbox, store, flowgate,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await flowgate.close();
      await store.close();
      if (!opts.keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
