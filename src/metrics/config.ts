// The `metrics:` config key. Off unless one of its two protections is set: a bearer token (on the
// public port), or a listen address of its own (e.g. 127.0.0.1:9464) that the public never reaches.
import { z } from 'zod';

/** `host:port` (an IPv6 host in brackets: `[::1]:9464`). */
export const listenSchema = z.string().transform((value, ctx) => {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not host:port, e.g. 127.0.0.1:9464 or [::1]:9464` });
    return z.NEVER;
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
});

export const metricsSchema = z.object({
  /**
   * Scrapers send `Authorization: Bearer <token>` (16 or more characters); `FLOWGATE_METRICS_TOKEN`
   * takes precedence. A secret: never logged. Without `listen`, /metrics is served on the public port.
   */
  token: z.string().min(16).max(500).optional(),
  /** A second listener serving only /metrics (no token needed there unless `token` is set too); the public port then has none. */
  listen: listenSchema.optional(),
}).strict();

export type MetricsConfig = z.infer<typeof metricsSchema>;
