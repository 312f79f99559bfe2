// Entry point: the only module that reads process.env. Loads config, opens the store, listens.
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { createFlowgate } from './app.ts';
import { createLogger } from './log.ts';
import { checkForEnvironment, loadConfigFile } from './config/load.ts';
import { logFormatFromEnv, runtimeFromEnv } from './runtime.ts';
import { gracefulShutdown } from './shutdown.ts';
import { openStore } from './store/open.ts';
import { listenMetrics } from './metrics/listen.ts';
import { answerClientErrors } from './web/client-error.ts';

async function main(): Promise<void> {
  const runtime = runtimeFromEnv(process.env);
  const logFormat = logFormatFromEnv(process.env, Boolean(process.stdout.isTTY));
  const config = loadConfigFile(runtime.configFile);
  checkForEnvironment(config, runtime.production);
  const log = createLogger(config.logLevel, undefined, logFormat, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  if (runtime.production && !runtime.keyEncryptionKey) {
    log.warn('FLOWGATE_KEY_ENCRYPTION_KEY is not set: the signing keys and other secrets are stored in clear in the database and its backups');
  }
  const store = await openStore(runtime.databaseUrl, runtime.postgres, runtime);
  const configDir = runtime.configFile ? dirname(resolve(runtime.configFile)) : process.cwd();
  const flowgate = await createFlowgate({ config, runtime, store, log, configDir });
  const server = createServer(flowgate.app);
  answerClientErrors(server, log);
  // metrics.listen: /metrics on its own address, never on the public port.
  const metricsServer = flowgate.metricsApp && config.metrics.listen ? await listenMetrics(flowgate.metricsApp, config.metrics.listen) : undefined;
  if (metricsServer) log.info({ metrics: `${config.metrics.listen!.host}:${config.metrics.listen!.port}` }, 'metrics listening');
  // A port in use (or not ours to take) is a refusal like the others: one line, exit 1.
  server.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`flowgate: cannot start\nFLOWGATE_LISTEN_HOST: ${runtime.listenHost} is not an address of this machine\n`);
      process.exit(1);
    }
    process.stderr.write(`flowgate: cannot start\nPORT: cannot listen on port ${runtime.port} (${err.code ?? err.message}); is another process using it?\n`);
    process.exit(1);
  });
  server.listen(runtime.port, runtime.listenHost, () => {
    log.info({ issuer: flowgate.issuer, port: runtime.port, ...(runtime.listenHost ? { host: runtime.listenHost } : {}), store: store.kind }, 'flowgate listening');
    if (flowgate.demoClient) {
      log.info(`no clients in the config file: demo app enabled, open ${flowgate.issuer}/ and press "Try signing in"`);
    }
  });
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
