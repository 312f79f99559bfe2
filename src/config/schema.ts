// The configuration file's schema: every key, its default and what it means, in one place.
import { z } from 'zod';
import { compileTemplate, requiresCode, TemplateError } from '../sms/template.ts';
import { usages } from '../sms/types.ts';
import { connectorTypes } from '../sms/connectors/registry.ts';
import { limitsSchema } from '../guard/config.ts';
import { catalogueLocaleSchema, localeKeyProblem, regionSchema } from './locales.ts';
import { brandingSchema } from '../branding/config.ts';
import { metricsSchema } from '../metrics/config.ts';
import { ALGORITHMS } from '../oidc/key-ring.ts';

const url = z.string().url();

export const clientSchema = z.object({
  client_id: z.string().min(1).max(200),
  /** Omit for a public client (PKCE S256 is then required). */
  client_secret: z.string().min(16).max(500).optional(),
  client_name: z.string().max(200).optional(),
  /** Needed (at least one) for the authorization_code grant; a client_credentials-only client has none. */
  redirect_uris: z.array(url).default([]),
  post_logout_redirect_uris: z.array(url).default([]),
  /** Default: authorization_code + refresh_token; `client_credentials` only for an adminApi client. */
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).min(1).optional(),
  /** First-party apps never see a consent screen, even with prompt=consent. */
  firstParty: z.boolean().default(false),
  /** May get admin API access tokens (scope `admin`) by the client credentials grant; needs a client_secret. */
  adminApi: z.boolean().default(false),
}).strict().transform((c) => {
  // An adminApi client always has client_credentials; without grant_types it has nothing else.
  const grants = c.grant_types ?? (c.adminApi ? ['client_credentials' as const] : ['authorization_code' as const, 'refresh_token' as const]);
  return { ...c, grant_types: c.adminApi && !grants.includes('client_credentials') ? [...grants, 'client_credentials' as const] : grants };
}).superRefine((c, ctx) => {
  if (c.adminApi && !c.client_secret) {
    ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'an adminApi client needs a client_secret (16 or more characters): the client credentials grant authenticates with it' });
  } else if (c.grant_types.includes('client_credentials') && !c.client_secret) {
    ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'the client_credentials grant needs a client_secret (16 or more characters)' });
  }
  if (c.grant_types.includes('client_credentials') && !c.adminApi) {
    ctx.addIssue({ code: 'custom', path: ['grant_types'], message: 'client_credentials is for admin API clients only: set adminApi: true, or remove client_credentials' });
  }
  if (c.grant_types.includes('authorization_code') && c.redirect_uris.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: 'the authorization_code grant needs at least one redirect URI' });
  }
});

export const connectorSchema = z.discriminatedUnion('type', [
  connectorTypes.console.configSchema, connectorTypes.outbox.configSchema, connectorTypes.twilio.configSchema,
  connectorTypes.messagebird.configSchema, connectorTypes.textlocal.configSchema, connectorTypes.vonage.configSchema,
  connectorTypes.aliyun.configSchema, connectorTypes.tencent.configSchema, connectorTypes.webhook.configSchema,
], {
  error: (issue) => (issue.code === 'invalid_union' ? `unknown connector \`type\`; use one of: ${Object.keys(connectorTypes).join(', ')}` : undefined),
});
export type ConnectorConfig = z.infer<typeof connectorSchema>;

/** Global SMS templates by usage then locale; a step's own `templates` override these. */
export const smsTemplatesSchema = z.partialRecord(z.enum(usages), z.record(z.string(), z.string()))
  .default({})
  .superRefine((byUsage, ctx) => {
    for (const [usage, byLocale] of Object.entries(byUsage)) {
      for (const [locale, source] of Object.entries(byLocale ?? {})) {
        const problem = localeKeyProblem(locale);
        if (problem) {
          ctx.addIssue({ code: 'custom', path: [usage, locale], message: problem });
          continue;
        }
        try {
          compileTemplate(source, { requireCode: requiresCode(usage) });
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
          ctx.addIssue({ code: 'custom', path: [usage, locale], message: `template ${err.message}` });
        }
      }
    }
  });
export type SmsTemplates = z.infer<typeof smsTemplatesSchema>;

export const configSchema = z.object({
  /** Shown on pages and in SMS templates as {{appName}}. */
  appName: z.string().min(1).max(60).default('flowgate'),
  /** Region assumed for numbers typed without +country code (ISO 3166 alpha-2 that libphonenumber-js knows). */
  defaultRegion: regionSchema.default('US'),
  /** Page language when neither ui_locales nor Accept-Language names one we have (`en`, `de`). */
  defaultLocale: catalogueLocaleSchema.default('en'),
  clients: z.array(clientSchema).default([]),
  sms: z.object({
    /** Tried in order: the first is primary, the rest take over when it is unavailable. */
    connectors: z.array(connectorSchema).min(1).default([{ type: 'console' }]),
    /** Countries (ISO 3166 alpha-2) that may receive SMS. Defaults to `defaultRegion` only. */
    allowedCountries: z.array(regionSchema).min(1).optional(),
    /** Queue and delivery: per-attempt timeout, retries per connector, circuit breaker, the sending lease. */
    delivery: z.object({
      timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
      retries: z.number().int().min(0).max(5).default(2),
      backoffMs: z.number().int().min(10).max(60_000).default(250),
      breakerThreshold: z.number().int().min(1).max(100).default(5),
      breakerCooldownMs: z.number().int().min(100).max(3_600_000).default(30_000),
      /** Messages sent at once (a slow provider must not open hundreds of connections). */
      concurrency: z.number().int().min(1).max(4096).default(64),
      /**
       * How long an instance holds a message it is sending: renewed every third of it while the attempt
       * runs; an instance that dies loses it after this long, and another instance sends the message.
       */
      leaseMs: z.number().int().min(1_000).max(600_000).default(30_000),
    }).strict().default({ timeoutMs: 5_000, retries: 2, backoffMs: 250, breakerThreshold: 5, breakerCooldownMs: 30_000, concurrency: 64, leaseMs: 30_000 }),
    /** With NODE_ENV=production, `console`/`outbox` are refused unless this is true. */
    allowDevConnectorsInProduction: z.boolean().default(false),
    /** Global message templates by usage then locale; a step's own `templates` override these. */
    templates: smsTemplatesSchema,
  }).strict().default({
    connectors: [{ type: 'console' }], allowDevConnectorsInProduction: false, templates: {},
    delivery: { timeoutMs: 5_000, retries: 2, backoffMs: 250, breakerThreshold: 5, breakerCooldownMs: 30_000, concurrency: 64, leaseMs: 30_000 },
  }),
  /** The flow that runs for a plain sign-in (`sign-in`, or `sign-in-2fa` for password + SMS). */
  signInFlow: z.string().default('sign-in'),
  /** Module paths of third-party authenticators, relative to the config file. */
  authenticators: z.array(z.string().min(1)).default([]),
  /** Signing keys (kept in the store's key ring, rotated by `flowgate keys rotate`). */
  keys: z.object({
    /** The algorithm of a new signing key (the first one, and each rotation's). */
    algorithm: z.enum(ALGORITHMS).default('RS256'),
    /**
     * How long a rotation's new signing key is published before it signs, so relying parties have it
     * in their cached JWKS first (`flowgate keys rotate --now` activates it at once).
     */
    activateAfterSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(600),
    /** Added to the longest token or cookie lifetime before a replaced key is dropped (clock skew, slow clients). */
    retireMarginSeconds: z.number().int().min(0).max(90 * 24 * 3600).default(600),
  }).strict().default({ algorithm: 'RS256', activateAfterSeconds: 600, retireMarginSeconds: 600 }),
  /** Cookie signing keys, newest first. Generated and kept in the store when omitted. */
  cookieKeys: z.array(z.string().min(32)).min(1).optional(),
  /** Directory holding flows/*.yaml. */
  flowsDir: z.string().default('./flows'),
  /** Development seed: users created at start if missing. */
  users: z.array(z.object({
    phone: z.string(),
    name: z.string().max(200).optional(),
    email: z.string().email().optional(),
  }).strict()).default([]),
  /** Abuse limits: SMS sending caps and guessing lockouts, kept in the store (see src/guard/config.ts). */
  limits: limitsSchema.default(limitsSchema.parse({})),
  /** Logo, favicon and colours of the hosted pages (see src/branding/config.ts); the product name is `appName`. */
  branding: brandingSchema.default({ showName: true }),
  /**
   * A directory of template overrides, relative to the config file: a file there replaces the built-in
   * view of the same path (e.g. `home.hbs`, `interaction/phone.hbs`, `partials/notice.hbs`,
   * `layouts/main.hbs`); every other page stays built in. A file matching no built-in view is refused.
   */
  viewsDir: z.string().min(1).optional(),
  /** Trust X-Forwarded-* from a TLS-terminating proxy. */
  trustProxy: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
  /** Prometheus /metrics (see src/metrics/config.ts): off unless `token` or `listen` is set. */
  metrics: metricsSchema.default({}),
}).strict();

export type Config = z.infer<typeof configSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;

/** What the environment decides (read only in main.ts). */
export interface Runtime {
  issuer: string;
  port: number;
  databaseUrl: string;
  production: boolean;
  /** FLOWGATE_METRICS_TOKEN: the bearer token for /metrics (takes precedence over `metrics.token`). */
  metricsToken?: string;
}
