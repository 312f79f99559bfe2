// createFlowgate(deps) → the express app with oidc-provider mounted; no listen (tests build this).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import { createLogger } from './log.ts';
import type { Config, Runtime } from './config/schema.ts';
import { normalizePhone } from './authenticators/identify-phone/phone.ts';
import { createDemoClient, DEMO_USER, demoRoutes } from './demo/routes.ts';
import { loadFlows } from './flows/loader.ts';
import { builtinAuthenticators } from './flows/registry.ts';
import { createRunner } from './flows/runner.ts';
import { loadCookieKeys, loadSecret, loadSigningKeys } from './oidc/keys.ts';
import { createProvider } from './oidc/provider.ts';
import { createConnector, createSmsSender } from './sms/sender.ts';
import type { SmsConnector } from './sms/types.ts';
import type { Store } from './store/types.ts';
import { errorHandler, notFound } from './web/errors.ts';
import { interactionRoutes } from './web/interaction-routes.ts';
import { securityHeaders } from './web/security.ts';
import { createViews } from './web/views.ts';
import { providerPages } from './web/provider-pages.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface FlowgateDeps {
  config: Config;
  runtime: Runtime;
  store: Store;
  log?: Logger;
  /** Replaces the connectors built from config (tests). */
  connectors?: SmsConnector[];
  now?: () => number;
}

export interface Flowgate {
  app: express.Express;
  issuer: string;
  demoClient?: { client_id: string };
  close(): Promise<void>;
}

async function seedUsers(config: Config, store: Store): Promise<void> {
  for (const seed of config.users) {
    const phone = normalizePhone(seed.phone, config.defaultRegion);
    if (!phone.ok) throw new Error(`users: '${seed.phone}' is not a valid phone number`);
    if (!(await store.users.findByPhone(phone.e164))) {
      await store.users.create({ phone: phone.e164, phoneVerified: true, name: seed.name ?? null, email: seed.email ?? null });
    }
  }
}

export async function createFlowgate(deps: FlowgateDeps): Promise<Flowgate> {
  const { config, runtime, store } = deps;
  const log = deps.log ?? createLogger(config.logLevel);
  const issuer = runtime.issuer.replace(/\/+$/, '');
  const registry = builtinAuthenticators();
  const flows = loadFlows(config.flowsDir, registry);
  const render = createViews(join(root, 'views'), config.appName);
  const demo = config.clients.length === 0 && !runtime.production ? createDemoClient(issuer) : undefined;
  await seedUsers(demo && config.users.length === 0 ? { ...config, users: [DEMO_USER] } : config, store);
  const clients = demo ? [demo] : config.clients;
  const provider = createProvider({
    issuer,
    store,
    clients,
    jwks: await loadSigningKeys(store),
    cookieKeys: await loadCookieKeys(store, config.cookieKeys),
    trustProxy: config.trustProxy,
    pages: providerPages(render, config.defaultLocale),
  });

  const sms = createSmsSender(deps.connectors ?? await Promise.all(config.sms.connectors.map(createConnector)), log);
  const runner = createRunner({
    store,
    flows,
    registry,
    deps: {
      store, sms, appName: config.appName, issuer, defaultRegion: config.defaultRegion,
      otpKey: await loadSecret(store, 'otp-hmac'), now: deps.now ?? Date.now,
    },
  });

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy) app.set('trust proxy', 1);
  app.use(securityHeaders());
  app.use('/assets', express.static(join(root, 'public'), { maxAge: '1h', index: false }));
  app.get('/', (_req, res) => {
    res.type('html').send(render('home', { locale: config.defaultLocale, demo: Boolean(demo), demoPhone: DEMO_USER.phone }));
  });
  if (demo) app.use(demoRoutes(issuer, demo, render));
  app.use(interactionRoutes({ provider, runner, render, clients, defaultLocale: config.defaultLocale }));
  app.use(provider.callback());
  app.use(notFound());
  app.use(errorHandler(render, log, config.defaultLocale));

  const purge = setInterval(() => {
    store.purgeExpired(Date.now()).catch((err: unknown) => log.error({ err }, 'purge failed'));
  }, 60_000);
  purge.unref();

  return {
    app,
    issuer,
    ...(demo ? { demoClient: { client_id: demo.client_id } } : {}),
    async close() {
      clearInterval(purge);
    },
  };
}
