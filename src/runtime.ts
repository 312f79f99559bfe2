// Reads the environment once: PORT, FLOWGATE_ISSUER, DATABASE_URL, NODE_ENV, FLOWGATE_CONFIG.
import type { Runtime } from './config/schema.ts';

export function runtimeFromEnv(env: NodeJS.ProcessEnv): Runtime & { configFile?: string } {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT: '${env.PORT}' is not a port number`);
  return {
    port,
    issuer: env.FLOWGATE_ISSUER ?? `http://localhost:${port}`,
    databaseUrl: env.DATABASE_URL ?? 'sqlite:./data/flowgate.db',
    production: env.NODE_ENV === 'production',
    ...(env.FLOWGATE_CONFIG ? { configFile: env.FLOWGATE_CONFIG } : {}),
  };
}
