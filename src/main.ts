// Entry point: the only module that reads process.env. Loads config, opens the store, listens.
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { createFlowgate } from './app.ts';
import { createLogger } from './log.ts';
import { checkForEnvironment, loadConfigFile } from './config/load.ts';
import { runtimeFromEnv } from './runtime.ts';
import { openStore } from './store/open.ts';

async function main(): Promise<void> {
  const runtime = runtimeFromEnv(process.env);
  const config = loadConfigFile(runtime.configFile);
  checkForEnvironment(config, runtime.production);
  const log = createLogger(config.logLevel);
  if (runtime.production && !runtime.keyEncryptionKey) {
    log.warn('FLOWGATE_KEY_ENCRYPTION_KEY is not set: the signing keys and other secrets are stored in clear in the database and its backups');
  }
  const store = await openStore(runtime.databaseUrl, runtime.postgres, runtime);
  const configDir = runtime.configFile ? dirname(resolve(runtime.configFile)) : process.cwd();
  const flowgate = await createFlowgate({ config, runtime, store, log, configDir });
  const server = createServer(flowgate.app);
  server.listen(runtime.port, () => {
    log.info({ issuer: flowgate.issuer, port: runtime.port, store: store.kind }, 'flowgate listening');
    if (flowgate.demoClient) {
      log.info(`no clients configured: demo app enabled, open ${flowgate.issuer}/ and press "Try signing in"`);
    }
  });
  const stop = (signal: string) => {
    log.info({ signal }, 'flowgate stopping: no new requests; leased SMS go back to the queue');
    server.close(() => {
      void flowgate.close().then(() => store.close()).then(() => { log.info('flowgate stopped'); process.exit(0); });
    });
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  const e = err as Error;
  process.stderr.write(`flowgate: cannot start\n${['ConfigError', 'FlowError', 'PluginError', 'StoreOpenError'].includes(e.name) ? e.message : e.stack ?? e.message}\n`);
  process.exit(1);
});
