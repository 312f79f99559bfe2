// `webhook` connector config: any HTTP SMS API reached without code. The request's fields come from
// handlebars templates over the message (`to`, `body`, `usage`, `locale`), checked here at load.
import Handlebars from 'handlebars';
import { z } from 'zod';
import { checkTemplateVariables, TemplateError } from '../../template.ts';

export const webhookVariables = ['to', 'body', 'usage', 'locale'] as const;
export type WebhookVariables = Record<(typeof webhookVariables)[number], string>;
export const MAX_FIELD_TEMPLATE_LENGTH = 2_000;

/**
 * Parses and checks one field template: only text, comments and plain `{{variable}}` of the list above.
 * Returns the variables it uses. Throws a TemplateError with a message for the user.
 */
export function checkFieldTemplate(source: string): Set<string> {
  let ast: unknown;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    throw new TemplateError(`does not compile: ${(err as Error).message.split('\n').filter((l) => !/^-*\^$/.test(l)).join(' ').slice(0, 300)}`);
  }
  return checkTemplateVariables(ast, webhookVariables, {
    notAllowed: '(helpers, blocks, partials) is not allowed',
    unescaped: 'not triple braces or {{&…}}',
  });
}

const fieldTemplate = z.string().max(MAX_FIELD_TEMPLATE_LENGTH).superRefine((source, ctx) => {
  try {
    checkFieldTemplate(source);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `template: ${(err as Error).message}` });
  }
});

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the connector itself (from `bodyFormat`, the URL and the body). */
const reservedHeaders = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

const auth = z.union([
  z.literal('none'),
  z.object({
    basic: z.object({
      username: z.string().min(1).regex(/^[^:\r\n]*$/, 'must not contain `:` or line breaks'),
      /** Secret. */
      password: z.string().regex(/^[^\r\n]*$/, 'must not contain line breaks'),
    }).strict(),
  }).strict(),
  /** Secret. */
  z.object({ bearer: z.string().regex(/^\S+$/, 'must be a non-empty token without spaces or line breaks') }).strict(),
], { error: () => "`auth` must be 'none', { basic: { username, password } } or { bearer: token }" });

const httpStatus = z.number().int().min(100).max(599);

export const configSchema = z.object({
  type: z.literal('webhook'),
  url: z.string().url().superRefine((value, ctx) => {
    let url: URL;
    try { url = new URL(value); } catch { return; }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain credentials; use `auth.basic`' });
    if (url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a #fragment' });
  }),
  method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
  /** Extra request headers. Every value is treated as a secret (never logged, never shown). */
  headers: z.record(
    z.string().regex(headerName, 'must be a valid HTTP header name'),
    z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks'),
  ).default({}),
  auth: auth.default('none'),
  /** How POST/PUT fields are encoded; GET always puts them in the query string. */
  bodyFormat: z.enum(['json', 'form']).default('json'),
  /** Request field → template over {{to}} (E.164, with +), {{body}}, {{usage}}, {{locale}} (empty when unknown). */
  bodyTemplate: z.record(z.string().min(1).max(200), fieldTemplate),
  /** HTTP status(es) that mean "accepted"; default any 2xx. */
  successStatus: z.union([httpStatus, z.array(httpStatus).min(1)]).optional(),
  /** Dot path to the provider's message id in a JSON response, e.g. `data.id` or `messages.0.id`. */
  messageIdPath: z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a dot path such as `data.id`').optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
}).strict().superRefine((c, ctx) => {
  for (const name of Object.keys(c.headers)) {
    if (reservedHeaders.has(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['headers', name], message: `'${name}' is set by the connector (Content-Type comes from \`bodyFormat\`)` });
    }
  }
  const used = new Set<string>();
  let broken = false;
  for (const source of Object.values(c.bodyTemplate)) {
    try { for (const v of checkFieldTemplate(source)) used.add(v); } catch { broken = true; /* reported on the field */ }
  }
  for (const v of ['to', 'body']) {
    if (!broken && !used.has(v)) ctx.addIssue({ code: 'custom', path: ['bodyTemplate'], message: `no field uses {{${v}}}: the provider would not get the ${v === 'to' ? 'recipient' : 'message text'} (e.g. { "to": "{{to}}", "text": "{{body}}" })` });
  }
  if (c.auth !== 'none' && Object.keys(c.headers).some((h) => h.toLowerCase() === 'authorization')) {
    ctx.addIssue({ code: 'custom', path: ['headers'], message: 'an Authorization header conflicts with `auth`; use one or the other' });
  }
});
export type WebhookConfig = z.infer<typeof configSchema>;
/** `auth` (password / token) and every header value. */
export const secretKeys = ['auth', 'headers'] as const;
