// Entry point: the only module that reads process.env. Loads config, opens the store, listens.
import { once } from 'node:events';
import { createServer } from 'node:http';
import module from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createLogger } from './log.ts';
import { checkSetup } from './config/check.ts';
import { logFormatFromEnv } from './runtime.ts';
import { gracefulShutdown } from './shutdown.ts';
import { openStore } from './store/open.ts';
import { listenMetrics } from './metrics/listen.ts';
import { answerClientErrors } from './web/client-error.ts';
import { loadKeyRing } from './oidc/keys.ts';

/** A refusal: every problem `config check` would list (the environment, the config file, the flows), no stack. */
function refuse(problems: string[]): never {
  process.stderr.write(`flowgate: cannot start\n${problems.join('\n')}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const checked = await checkSetup(process.env.FLOWGATE_CONFIG || undefined, process.env);
  if (checked.problems.length || !checked.runtime || !checked.config) refuse(checked.problems);
  const { config } = checked;
  let runtime = checked.runtime;
  const logFormat = logFormatFromEnv(process.env, Boolean(process.stdout.isTTY));
  const log = createLogger(config.logLevel, undefined, logFormat, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  if (runtime.production && !runtime.keyEncryptionKey) {
    log.warn('FLOWGATE_KEY_ENCRYPTION_KEY is not set: the signing keys and other secrets are stored in clear in the database and its backups');
  }
  const store = await openStore(runtime.databaseUrl, runtime.postgres, runtime);
  const configDir = runtime.configFile ? dirname(resolve(runtime.configFile)) : process.cwd();
  const server = createServer();
  // A port in use (or not ours to take) is a refusal like the others: one line, exit 1.
  server.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`flowgate: cannot start\nFLOWGATE_LISTEN_HOST: ${runtime.listenHost} is not an address of this machine\n`);
      process.exit(1);
    }
    process.stderr.write(`flowgate: cannot start\nPORT: cannot listen on port ${runtime.port} (${err.code ?? err.message}); is another process using it?\n`);
    process.exit(1);
  });
  // PORT=0 without FLOWGATE_ISSUER: the issuer names the port the system picks, so bind first.
  const bindFirst = runtime.port === 0 && runtime.issuerFromPort;
  if (bindFirst) {
    server.listen(0, runtime.listenHost);
    await once(server, 'listening');
    runtime = { ...runtime, issuer: `http://localhost:${(server.address() as AddressInfo).port}` };
  }
  // The key ring first (a fresh store's RSA key is made on the thread pool), then the app's modules
  // load meanwhile: a first start does not wait for the two one after the other.
  const keyRing = loadKeyRing(store, config.keys.algorithm, Date.now());
  keyRing.catch(() => {}); // a failure is reported where createFlowgate awaits it
  // Node 22.1+ (24 is the target; not 20): V8's compiled code of the modules loaded from here on is
  // kept on disk (NODE_COMPILE_CACHE, else the OS temp dir), so later starts compile less.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const { createFlowgate } = await import('./app.ts');
  const flowgate = await createFlowgate({ config, runtime, store, log, configDir, keyRing });
  server.on('request', flowgate.app);
  answerClientErrors(server, log);
  // metrics.listen: /metrics on its own address, never on the public port.
  const metricsServer = flowgate.metricsApp && config.metrics.listen ? await listenMetrics(flowgate.metricsApp, config.metrics.listen) : undefined;
  if (metricsServer) log.info({ metrics: `${config.metrics.listen!.host}:${config.metrics.listen!.port}` }, 'metrics listening');
  if (!bindFirst) {
    server.listen(runtime.port, runtime.listenHost);
    await once(server, 'listening');
  }
  // The port bound (with PORT=0, the one the system chose).
  const port = (server.address() as AddressInfo).port;
  log.info({ issuer: flowgate.issuer, port, ...(runtime.listenHost ? { host: runtime.listenHost } : {}), store: store.kind }, 'flowgate listening');
  if (flowgate.demoClient) {
    log.info(`no clients in the config file: demo app enabled, open ${flowgate.issuer}/ and press "Try signing in"`);
  }
  const stop = gracefulShutdown({
    server, graceMs: runtime.shutdownGraceMs, log,
    onDrainStart: () => flowgate.readiness.shuttingDown(),
    release: async (waitMs) => {
      if (metricsServer) { metricsServer.close(); metricsServer.closeAllConnections(); }
      await flowgate.close({ smsWaitMs: waitMs });
      await store.close();
    },
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Refusals: a bad setting, file or store, told in a few lines naming it. Anything else is a bug: its stack helps. */
const REFUSALS = ['ConfigError', 'FlowError', 'PluginError', 'StoreOpenError', 'DocumentError'];

main().catch((err: unknown) => {
  const e = err as Error;
  process.stderr.write(`flowgate: cannot start\n${REFUSALS.includes(e.name) ? e.message : e.stack ?? e.message}\n`);
  process.exit(1);
});
