// `webhook` connector: one HTTP request per message, its fields rendered from the configured templates
// (JSON or form body; query string for GET). Redirects are not followed, so secrets stay with the URL configured.
import Handlebars from 'handlebars';
import { checkFieldTemplate, webhookVariables, type WebhookConfig, type WebhookVariables } from './config.ts';
import type { SmsConnector } from '../../types.ts';
import { mapWebhookNetwork, mapWebhookStatus } from './errors.ts';

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
  const secrets = Object.values(config.headers);
  if (config.auth !== 'none') {
    if ('basic' in config.auth) {
      const { username, password } = config.auth.basic;
      const value = 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
      headers.authorization = value;
      secrets.push(password, value.slice(6));
    } else {
      headers.authorization = `Bearer ${config.auth.bearer}`;
      secrets.push(config.auth.bearer);
    }
  }

  return {
    id: 'webhook',
    async send(msg) {
      const vars: WebhookVariables = { to: msg.to, body: msg.body, usage: msg.usage, locale: msg.locale ?? '' };
      const values = fields.map(([name, render]) => [name, render(vars)] as const);
      // The message text and the recipient must not come back through the log either.
      const scrubbed = [...secrets, msg.body, msg.to];

      const url = new URL(config.url);
      const init: RequestInit = { method, headers: { ...headers }, redirect: 'manual', signal: AbortSignal.timeout(config.timeoutMs) };
      if (method === 'GET') {
        for (const [name, value] of values) url.searchParams.set(name, value);
      } else if (config.bodyFormat === 'form') {
        init.body = new URLSearchParams(values.map(([n, v]) => [n, v]));
      } else {
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
        init.body = JSON.stringify(Object.fromEntries(values));
      }

      let status: number;
      let text: string;
      try {
        const res = await fetch(url, init);
        status = res.status;
        text = await readCapped(res);
      } catch (err) {
        throw mapWebhookNetwork(method, host, err, config.timeoutMs);
      }
      if (!success(status)) throw mapWebhookStatus(method, host, status, text, scrubbed);

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

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export { create as createWebhookConnector };
