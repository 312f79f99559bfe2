// createFlowgate(deps) → the express app with oidc-provider mounted; no listen (tests build this).
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import { createLogger } from './log.ts';
import { createBrand } from './branding/index.ts';
import { brandRoutes } from './branding/routes.ts';
import type { Config, Runtime } from './config/schema.ts';
import { ConfigError } from './config/load.ts';
import { normalizePhone } from './authenticators/identify-phone/phone.ts';
import { createDemoClient, DEMO_USER, demoRoutes } from './demo/routes.ts';
import { accountClientConfig, createAccountClient } from './account/client.ts';
import { reservedClientProblems } from './config/reserved-clients.ts';
import { createCookieJar } from './web/cookies.ts';
import { accountRoutes } from './account/routes.ts';
import { adminClientConfig, createAdminClient } from './admin/client.ts';
import { createAdminAuth } from './admin/auth.ts';
import { adminAuthRoutes } from './admin/console-auth.ts';
import { createAdmin } from './admin/index.ts';
import { keyService } from './admin/service/keys.ts';
import { clientService } from './admin/service/clients.ts';
import { adminApi, openApiHandler } from './admin/api/index.ts';
import { adminConsole } from './admin/console/index.ts';
import { createAccounts } from './accounts/index.ts';
import { createPasswordHasher } from './authenticators/password/hasher.ts';
import { FlowError, loadFlows } from './flows/loader.ts';
import { loadPluginAuthenticators } from './flows/plugins.ts';
import { builtinAuthenticators } from './flows/registry.ts';
import { createRunner } from './flows/runner.ts';
import { createGuard } from './guard/index.ts';
import { createLive } from './live/index.ts';
import { seedFromFiles } from './live/seed.ts';
import { loadSecret, type KeyRingRead } from './oidc/keys.ts';
import { createLiveProvider } from './oidc/live-provider.ts';
import { createProvider } from './oidc/provider.ts';
import { createInteractions } from './oidc/interactions.ts';
import type { Attempt } from './sms/delivery/dispatch.ts';
import { createLiveDispatch, type LiveDispatch } from './sms/delivery/live.ts';
import { createSmsQueue } from './sms/delivery/worker.ts';
import { statusRoutes } from './sms/status-routes.ts';
import type { SmsConnector } from './sms/types.ts';
import type { Store } from './store/types.ts';
import { startPurge } from './purge.ts';
import { errorHandler, notFound, pageLocale } from './web/errors.ts';
import { providerNotFound } from './oidc/errors.ts';
import { keepLogoutLocale } from './oidc/logout-locale.ts';
import { interactionRoutes } from './web/interaction-routes.ts';
import { securityHeaders } from './web/security.ts';
import { createViews } from './web/views.ts';
import { pickLocale } from './web/i18n/index.ts';
import { providerPages } from './web/provider-pages.ts';
import { healthRoutes } from './web/health-routes.ts';
import { createReadiness, type Readiness } from './readiness.ts';
import { metricsRoute, requestTimer } from './metrics/http.ts';
import { noRecorder } from './metrics/recorder.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface FlowgateDeps {
  config: Config;
  runtime: Runtime;
  store: Store;
  log?: Logger;
  /** Where relative paths in the config file (third-party authenticators, branding files, viewsDir) start. */
  configDir?: string;
  /** Replaces the connectors built from config (tests). */
  connectors?: SmsConnector[];
  now?: () => number;
  /** The key ring, if its loading has started already (main.ts starts it before this module loads: a first start's key generation then overlaps the module loading). */
  keyRing?: Promise<KeyRingRead>;
}

export interface Flowgate {
  app: express.Express;
  issuer: string;
  demoClient?: { client_id: string };
  /** The SMS connector chain in use: `smsChain.setChain(configs)` replaces it without a restart. */
  smsChain: LiveDispatch;
  /** With `metrics.listen`: the app serving only /metrics, for main.ts's second listener. */
  metricsApp?: express.Express;
  /** Resolves once every queued SMS that is due has been tried. */
  drainSms(): Promise<void>;
  /** What /readyz answers; `readiness.shuttingDown()` when a drain begins (src/shutdown.ts). */
  readiness: Readiness;
  /** Stops the SMS worker (its attempts under way get up to `smsWaitMs`, then their leases go back) and the purge. */
  close(opts?: { smsWaitMs?: number }): Promise<void>;
}

async function seedUsers(config: Config, store: Store): Promise<void> {
  for (const [i, seed] of config.users.entries()) {
    const phone = normalizePhone(seed.phone, config.defaultRegion);
    if (!phone.ok) throw new ConfigError(`users.${i}.phone: '${seed.phone}' is not a valid phone number (${phone.reason}); write it with its country code, e.g. +12025550100`);
    if (await store.users.findByPhone(phone.e164)) continue;
    try {
      await store.users.create({ phone: phone.e164, phoneVerified: true, name: seed.name ?? null, email: seed.email ?? null });
    } catch (err) {
      // Another instance starting at the same time created it first (the phone number is unique).
      if (!(await store.users.findByPhone(phone.e164))) throw err;
    }
  }
}

export async function createFlowgate(deps: FlowgateDeps): Promise<Flowgate> {
  const { config, runtime, store } = deps;
  const log = deps.log ?? createLogger(config.logLevel);
  const issuer = runtime.issuer.replace(/\/+$/, '');
  const registry = builtinAuthenticators();
  const configDir = deps.configDir ?? process.cwd();
  await loadPluginAuthenticators(config.authenticators, registry, configDir);
  const flows = loadFlows(config.flowsDir, registry);
  if (!flows.has(config.signInFlow)) throw new FlowError(`signInFlow: no flow with id '${config.signInFlow}' in ${config.flowsDir}`);
  const now = deps.now ?? Date.now;
  // Metrics are on only behind a protection (a token, or a listener of their own); off, recording costs nothing.
  const metricsToken = runtime.metricsToken ?? config.metrics.token;
  // (The chain is built below; the circuit gauge reads it only when scraped.)
  // prom-client loads only then (an import on demand: off, it is never loaded).
  const metrics = metricsToken || config.metrics.listen ? (await import('./metrics/index.ts')).createMetrics({ smsOutbox: store.smsOutbox, chain: () => smsChain.members(), now }) : undefined;
  const record = metrics?.record ?? noRecorder;
  // Files seed the store (src/live/seed.ts); from then on the store's active versions serve.
  await seedFromFiles(store, config, flows, log, now());
  let chainReady!: (chain: LiveDispatch) => void;
  const chain = new Promise<LiveDispatch>((resolve) => { chainReady = resolve; });
  const live = createLive({ store, registry, log, onConnectors: async (next) => { await (await chain).setChain(next.connectors); } });
  await live.refresh(true);
  // Branding and template overrides are read once, here: a bad file stops the start, naming it.
  const brand = createBrand(config.branding, configDir, issuer.startsWith('https:'));
  const render = createViews(join(root, 'views'), config.appName, {
    defaultRegion: config.defaultRegion,
    brand: brand.model, ...(config.viewsDir ? { overridesDir: resolve(configDir, config.viewsDir) } : {}),
  });
  if (runtime.production && issuer.startsWith('http:')) {
    log.warn({ issuer }, 'the issuer is plain http in production: put flowgate behind TLS and set FLOWGATE_ISSUER to its https URL');
  }
  const demo = config.clients.length === 0 && !runtime.production ? createDemoClient(issuer) : undefined;
  await seedUsers(demo && config.users.length === 0 ? { ...config, users: [DEMO_USER] } : config, store);
  const reserved = reservedClientProblems(config);
  if (reserved.length) throw new ConfigError(reserved.join('\n'));
  const adminSecret = (await loadSecret(store, 'admin-client')).toString('base64url');
  const accountSecret = (await loadSecret(store, 'account-client')).toString('base64url');
  const clients = [
    ...(demo ? [demo] : config.clients), accountClientConfig(issuer, accountSecret, config.appName),
    adminClientConfig(issuer, adminSecret, config.appName),
  ];
  // The provider of the key ring in force: rebuilt when a rotation or a retire time changes the keys.
  const configuredCookieKeys = config.cookieKeys;
  const oidc = await createLiveProvider({
    store, log, now, algorithm: config.keys.algorithm, ...(deps.keyRing ? { first: deps.keyRing } : {}),
    build: (keys) => {
      const provider = createProvider({
        issuer,
        // `flow=change-phone` selects the flow bound to change-phone (README, "Change the phone number").
        selectable: (name) => name === 'change-phone' && Boolean(live.bound('change-phone')),
        store,
        clients,
        jwks: keys.jwks,
        algorithm: keys.algorithm,
        cookieKeys: configuredCookieKeys ?? keys.cookieKeys,
        trustProxy: config.trustProxy,
        pages: providerPages(render, config.defaultLocale, config.appName),
      });
      provider.use(keepLogoutLocale());
      provider.use(providerNotFound((lang) => render('error', { locale: pickLocale(lang.uiLocales, lang.acceptLanguage, config.defaultLocale), message: 'not_found' })));
      return provider;
    },
  });
  if (oidc.view().algorithm !== config.keys.algorithm) {
    log.warn({ active: oidc.view().algorithm, configured: config.keys.algorithm },
      'keys.algorithm differs from the active signing key\'s: tokens are signed with the active key until `flowgate keys rotate --signing`');
  }

  // What flowgate's own clients (account page, console) expect ID tokens to be signed with.
  const signingAlgorithm = () => oidc.view().algorithm;

  // The stored chain (an admin may have changed it); tests may replace the connectors.
  const smsChain = await createLiveDispatch(live.current().connectors.connectors, config.sms.delivery, log, now, deps.connectors, record);
  chainReady(smsChain);
  const allowedCountries = config.sms.allowedCountries ?? [config.defaultRegion];
  // The worker sends what any instance queued: it checks for a changed chain before each attempt,
  // as interaction requests do (an instance that serves no pages still sends with the chain in force).
  const attemptWithLiveChain: Attempt = async (msg, attemptOpts) => {
    await live.refresh();
    return smsChain.attempt(msg, attemptOpts);
  };
  const { concurrency, leaseMs } = config.sms.delivery;
  const sms = createSmsQueue(store, attemptWithLiveChain, log, allowedCountries, now, { concurrency, leaseMs, record });
  const guard = createGuard(store.guard, config.limits, log, now, record);
  const runner = createRunner({
    store,
    live,
    registry,
    record,
    deps: {
      store, sms, guard, appName: config.appName, issuer, defaultRegion: config.defaultRegion,
      otpKey: await loadSecret(store, 'otp-hmac'), now, allowedCountries,
      passwords: createPasswordHasher(), get templates() { return live.current().templates; },
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // pages are no-store: a hash of every body would validate nothing (the admin API sets its own ETags)
  if (config.trustProxy) app.set('trust proxy', 1);
  if (metrics) app.use(requestTimer(record));
  app.use(securityHeaders({ https: new URL(issuer).protocol === 'https:', imgSources: brand.imgSources }));
  app.use(brandRoutes(brand));
  app.use('/assets', express.static(join(root, 'public'), {
    index: false,
    setHeaders: (res) => { res.set('cache-control', 'public, max-age=3600'); }, // replaces the pages' no-store
  }));
  app.get('/', (req, res) => {
    res.type('html').send(render('home', { locale: pageLocale(req, res, config.defaultLocale), demo: Boolean(demo), demoPhone: DEMO_USER.phone }));
  });
  const readiness = createReadiness({
    store,
    signingKeys: () => oidc.view().jwks.keys.length,
    signInFlowLoaded: () => Boolean(live.bound('sign-in')),
    smsWorker: () => sms.state(),
  });
  app.use(healthRoutes(readiness));
  if (metrics && !config.metrics.listen) app.use(metricsRoute(metrics, metricsToken));
  if (demo) app.use(demoRoutes(issuer, demo, render, config.defaultLocale));
  // Delivery reports are checked with the keys of the chain in force on any instance.
  app.use('/sms/status', async (_req, _res, next) => { await live.refresh(); next(); });
  app.use(statusRoutes({ issuer, connectors: () => smsChain.configs(), store, log, now, record }));
  // Every route below signs or checks with the keys: a rotation anywhere is in force from the next request.
  app.use(oidc.check);
  app.use(accountRoutes({
    issuer, store, render, log, now, defaultLocale: config.defaultLocale,
    client: createAccountClient(issuer, accountSecret, signingAlgorithm),
    cookies: createCookieJar(await loadSecret(store, 'account-cookie'), { path: '/account', secure: issuer.startsWith('https:') }),
    changePhoneFlow: () => (live.bound('change-phone') ? 'change-phone' : undefined),
  }));
  const admin = createAdmin({
    store, live, registry, now, chain: smsChain, guard, accounts: createAccounts({ store, guard, log, now }), keys: keyService(store, config, now),
    clients: clientService(store, config.clients, now, { production: runtime.production }),
    appName: config.appName, issuer, defaultRegion: config.defaultRegion, allowedCountries,
    production: runtime.production, allowDevConnectorsInProduction: config.sms.allowDevConnectorsInProduction,
  });
  app.get('/admin/api/openapi.json', openApiHandler(admin.routes, issuer));
  // Admin console sign-in and the gates of /admin and /admin/api (issue 8); the admin API routers mount after these.
  app.use(adminAuthRoutes({
    issuer, render, log, now, defaultLocale: config.defaultLocale,
    auth: createAdminAuth({ issuer, jwks: () => oidc.view().publicJwks, store, now,
      adminClients: new Set(config.clients.filter((c) => c.adminApi).map((c) => c.client_id)) }),
    client: createAdminClient(issuer, adminSecret, signingAlgorithm),
    cookies: createCookieJar(await loadSecret(store, 'admin-cookie'), { path: '/admin', secure: issuer.startsWith('https:'), sealed: true }),
  }));
  app.get('/admin/api/me', (_req, res) => { res.json({ actor: res.locals.admin!.actor, kind: res.locals.admin!.kind }); });
  app.use('/admin/api', adminApi(admin.routes));
  app.use('/admin', adminConsole({ admin, render, defaultLocale: config.defaultLocale, live }));
  app.use(interactionRoutes({
    interactions: createInteractions(oidc.provider), runner, render, clients, store, defaultLocale: config.defaultLocale, guard, log, live, sms, now,
  }));
  app.use(oidc.handle);
  app.use(notFound());
  app.use(errorHandler(render, log, config.defaultLocale));

  const purge = startPurge(store, log);
  let metricsApp: express.Express | undefined;
  if (metrics && config.metrics.listen) {
    metricsApp = express();
    metricsApp.disable('x-powered-by');
    metricsApp.use(metricsRoute(metrics, metricsToken), notFound(), errorHandler(render, log, config.defaultLocale));
  }

  return {
    app,
    issuer,
    ...(demo ? { demoClient: { client_id: demo.client_id } } : {}),
    smsChain,
    ...(metricsApp ? { metricsApp } : {}),
    drainSms: () => sms.drain(),
    readiness,
    async close(opts = {}) {
      await sms.stop(opts.smsWaitMs);
      await purge.stop();
    },
  };
}
