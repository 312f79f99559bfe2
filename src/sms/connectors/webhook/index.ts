// `webhook` connector: one HTTP request per message, its fields rendered from the configured templates
// (JSON or form body; query string for GET). Redirects are not followed, so secrets stay with the URL configured.
import Handlebars from 'handlebars';
import { checkFieldTemplate, secretKeys, webhookVariables, type WebhookConfig, type WebhookVariables } from './config.ts';
import type { SmsConnector } from '../../types.ts';
import { requestProvider } from '../http.ts';
import { scrubberFor, secretValues } from '../scrub.ts';
import { mapWebhookStatus } from './errors.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;

type Render = (vars: WebhookVariables) => string;

function compileField(source: string): Render {
  checkFieldTemplate(source); // the schema checked it already; a config built by hand is checked too
  const env = Handlebars.create(); // no helpers or partials anyone may have registered globally
  const render = env.compile(source, { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: {} });
  return (vars) => {
    const data: Record<string, string> = Object.create(null);
    for (const key of webhookVariables) data[key] = vars[key];
    return render(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  };
}

/** Follows a dot path through own properties only; a string or number at the end is the id. */
export function pick(value: unknown, path: string): string | undefined {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' || (typeof cur === 'number' && Number.isFinite(cur)) ? String(cur) : undefined;
}

export function create(config: WebhookConfig): SmsConnector {
  const fields = Object.entries(config.bodyTemplate).map(([name, source]) => [name, compileField(source)] as const);
  const host = new URL(config.url).host;
  const method = config.method;
  const success = (status: number) =>
    config.successStatus === undefined ? status >= 200 && status < 300
      : Array.isArray(config.successStatus) ? config.successStatus.includes(status) : config.successStatus === status;

  const headers: Record<string, string> = { ...config.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'accept')) headers.accept = 'application/json, text/plain;q=0.9, */*;q=0.1';
  if (config.auth !== 'none') {
    if ('basic' in config.auth) {
      const { username, password } = config.auth.basic;
      headers.authorization = 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    } else {
      headers.authorization = `Bearer ${config.auth.bearer}`;
    }
  }
  // `auth: 'none'` is no credential; the Basic header's base64 is found by the scrubber itself.
  const secrets = secretValues({ ...config, auth: config.auth === 'none' ? undefined : config.auth }, secretKeys);

  return {
    id: 'webhook',
    async send(msg, opts = {}) {
      const vars: WebhookVariables = { to: msg.to, body: msg.body, usage: msg.usage, locale: msg.locale ?? '' };
      const values = fields.map(([name, render]) => [name, render(vars)] as const);

      const url = new URL(config.url);
      const requestHeaders = { ...headers };
      let body: string | URLSearchParams | undefined;
      if (method === 'GET') {
        for (const [name, value] of values) url.searchParams.set(name, value);
      } else if (config.bodyFormat === 'form') {
        body = new URLSearchParams(values.map(([n, v]) => [n, v]));
      } else {
        requestHeaders['content-type'] = 'application/json';
        body = JSON.stringify(Object.fromEntries(values));
      }

      const { status, text } = await requestProvider({
        signal: opts.signal,
        url, method, headers: requestHeaders, body, redirect: 'manual', timeoutMs: config.timeoutMs, maxBytes: MAX_RESPONSE_BYTES,
        networkDetail: `webhook: ${method} ${host}`, // never the URL (it may carry a key): the method and host only
      });
      if (!success(status)) throw mapWebhookStatus(method, host, status, text, scrubberFor(secrets, msg));

      if (!config.messageIdPath) return {};
      try {
        const id = pick(JSON.parse(text), config.messageIdPath);
        return id ? { providerMessageId: id } : {};
      } catch {
        return {}; // accepted; the answer just is not JSON
      }
    },
  };
}

export { create as createWebhookConnector };
