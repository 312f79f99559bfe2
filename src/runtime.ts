// Reads the environment once: PORT, FLOWGATE_ISSUER, DATABASE_URL, NODE_ENV, FLOWGATE_CONFIG, and the
// PostgreSQL pool's DATABASE_POOL_SIZE, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_CONNECT_TIMEOUT_MS
// (defaults in src/store/postgres/options.ts), FLOWGATE_SHUTDOWN_GRACE_MS (src/shutdown.ts), FLOWGATE_METRICS_TOKEN
// and FLOWGATE_KEY_ENCRYPTION_KEY (secrets sealed at rest), FLOWGATE_LISTEN_HOST (the address PORT is bound on);
// LOG_FORMAT (src/log.ts) through logFormatFromEnv.
// Every bad value is found at once: one ConfigError, a line per variable naming it (main.ts and
// `config check` print them, no stack).
import { isIP } from 'node:net';
import { ConfigError } from './config/load.ts';
import type { Runtime } from './config/schema.ts';
import { POSTGRES_DEFAULTS, type PostgresOptions } from './store/postgres/options.ts';
import { SHUTDOWN_GRACE_MS } from './shutdown.ts';
import { databaseUrlProblem, DEFAULT_DATABASE_URL } from './store/database-url.ts';
import type { LogFormat } from './log.ts';

/** An integer setting within [min, max], or its default when unset; a clear one-line error otherwise. */
function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}: '${raw}' is not a whole number from ${min} to ${max}`);
  }
  return n;
}

/** The metrics bearer token: as long as `metrics.token` must be (its value is never printed). */
function metricsToken(raw: string): string {
  if (raw.length < 16 || raw.length > 500) throw new ConfigError('FLOWGATE_METRICS_TOKEN: use 16 to 500 characters');
  return raw;
}

/**
 * FLOWGATE_ISSUER: an http(s) URL without query or fragment (oidc-provider's rule) and without a path
 * (the endpoints are served at the root of the host), or the local default.
 */
function issuerSetting(env: NodeJS.ProcessEnv, port: number): string {
  const raw = env.FLOWGATE_ISSUER;
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL | undefined;
  try { url = new URL(raw); } catch { /* refused below */ }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`FLOWGATE_ISSUER: '${raw}' is not an http(s) URL without query or fragment (e.g. https://id.example.com)`);
  }
  if (url.pathname !== '/') {
    throw new ConfigError(`FLOWGATE_ISSUER: '${raw}' has a path (${url.pathname}); flowgate serves at the root of its host: use ${url.origin} (a host of its own, e.g. https://id.example.com)`);
  }
  return raw;
}

/**
 * LOG_FORMAT: `json` or `pretty`; unset, pretty when stdout is a terminal outside production
 * (a person is reading), JSON otherwise (a log collector is).
 */
export function logFormatFromEnv(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): LogFormat {
  const raw = env.LOG_FORMAT?.trim();
  if (raw === undefined || raw === '') return stdoutIsTTY && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
  if (raw === 'json' || raw === 'pretty') return raw;
  throw new ConfigError(`LOG_FORMAT: '${env.LOG_FORMAT}' is not a log format; use json or pretty`);
}

/** FLOWGATE_KEY_ENCRYPTION_KEY: 32 bytes, base64url (or base64), or unset. */
function keyEncryptionKey(env: NodeJS.ProcessEnv): Buffer | undefined {
  const raw = env.FLOWGATE_KEY_ENCRYPTION_KEY;
  if (raw === undefined || raw === '') return undefined;
  const key = Buffer.from(raw.trim(), 'base64url');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(raw.trim()) || key.length !== 32) {
    throw new ConfigError('FLOWGATE_KEY_ENCRYPTION_KEY: not 32 bytes in base64url (43 characters); make one with: '
      + "node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"");
  }
  return key;
}

/** FLOWGATE_LISTEN_HOST: an IP address to bind (127.0.0.1 behind a proxy on the same host), or unset: every interface. */
function listenHost(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.FLOWGATE_LISTEN_HOST?.trim();
  if (!raw) return undefined;
  const host = raw.replace(/^\[(.*)\]$/, '$1');
  if (!isIP(host)) throw new ConfigError(`FLOWGATE_LISTEN_HOST: '${raw}' is not an IP address (e.g. 127.0.0.1 or ::1)`);
  return host;
}

/** What opening the store needs: the URL, for PostgreSQL the pool's settings, and the key that seals its secrets. */
export interface Database { databaseUrl: string; postgres: PostgresOptions; keyEncryptionKey?: Buffer }

/** How long a SIGTERM's drain may take, in all (src/shutdown.ts). */
export interface Shutdown { shutdownGraceMs: number }

/** DATABASE_URL: sqlite:<path> (default sqlite:./data/flowgate.db) or postgres://… (src/store/database-url.ts). */
function databaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const problem = databaseUrlProblem(url);
  if (problem) throw new ConfigError(problem);
  return url;
}

export type EnvRuntime = Runtime & Database & Shutdown & {
  configFile?: string;
  listenHost?: string;
  /** FLOWGATE_ISSUER is unset: the issuer is http://localhost:<port> (with PORT=0, the port bound: main.ts). */
  issuerFromPort: boolean;
};

export function runtimeFromEnv(env: NodeJS.ProcessEnv): EnvRuntime {
  const problems: string[] = [];
  /** The setting `read` returns, or `fallback` with its problem noted: every variable is checked. */
  const setting = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err.message);
      return fallback;
    }
  };
  const port = setting(() => intSetting(env, 'PORT', 3000, 0, 65535), 3000);
  const kek = setting(() => keyEncryptionKey(env), undefined);
  const host = setting(() => listenHost(env), undefined);
  const runtime: EnvRuntime = {
    port,
    ...(host ? { listenHost: host } : {}),
    issuer: setting(() => issuerSetting(env, port), ''),
    issuerFromPort: !env.FLOWGATE_ISSUER,
    databaseUrl: setting(() => databaseUrl(env), ''),
    production: env.NODE_ENV === 'production',
    postgres: {
      poolSize: setting(() => intSetting(env, 'DATABASE_POOL_SIZE', POSTGRES_DEFAULTS.poolSize, 1, 1000), 0),
      statementTimeoutMs: setting(() => intSetting(env, 'DATABASE_STATEMENT_TIMEOUT_MS', POSTGRES_DEFAULTS.statementTimeoutMs, 100, 600_000), 0),
      connectTimeoutMs: setting(() => intSetting(env, 'DATABASE_CONNECT_TIMEOUT_MS', POSTGRES_DEFAULTS.connectTimeoutMs, 100, 600_000), 0),
    },
    shutdownGraceMs: setting(() => intSetting(env, 'FLOWGATE_SHUTDOWN_GRACE_MS', SHUTDOWN_GRACE_MS, 1_000, 600_000), 0),
    ...(env.FLOWGATE_CONFIG ? { configFile: env.FLOWGATE_CONFIG } : {}),
    ...(env.FLOWGATE_METRICS_TOKEN ? { metricsToken: setting(() => metricsToken(env.FLOWGATE_METRICS_TOKEN!), '') } : {}),
    ...(kek ? { keyEncryptionKey: kek } : {}),
  };
  setting(() => logFormatFromEnv(env, false), 'json');
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return runtime;
}
