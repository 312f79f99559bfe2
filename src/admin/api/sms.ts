// /admin/api/sms…: the connector chain (secrets write-only), test sends, global templates and previews.
import { z } from 'zod';
import { usages } from '../../sms/types.ts';
import type { SmsService } from '../service/sms.ts';
import { etagOf } from '../service/documents.ts';
import { route, type ApiRoute } from './define.ts';

export function smsRoutes(sms: SmsService): ApiRoute[] {
  return [
    route({
      method: 'get', path: '/sms/connectors', tag: 'sms', summary: 'The connector chain; secrets are never returned (`secretsSet` names those that are set)',
      handler: async () => { const { connectors, head } = await sms.connectors(); return { body: { connectors }, etag: etagOf(head) }; },
    }),
    route({
      method: 'put', path: '/sms/connectors', tag: 'sms', summary: 'Replace the chain; a secret left out keeps its stored value', ifMatch: true,
      body: z.object({ connectors: z.array(z.record(z.string(), z.unknown())) }).strict(),
      handler: async ({ body, ifMatch, actor }) => { const r = await sms.setConnectors(body, ifMatch, actor); return { body: { connectors: r.connectors }, etag: etagOf(r.head) }; },
    }),
    route({
      method: 'get', path: '/sms/connectors/export', tag: 'sms', summary: 'The chain as config-file YAML, without secrets',
      handler: async () => ({ body: await sms.exportConnectors(), type: 'application/yaml' }),
    }),
    route({
      method: 'post', path: '/sms/connectors/test', tag: 'sms', summary: 'Send a test SMS through the chain, or through one connector of it',
      body: z.object({ to: z.string().min(1).max(40), connector: z.number().int().min(0).optional() }).strict(),
      handler: async ({ body, actor }) => ({ body: await sms.testSend(body.to, body.connector, actor) }),
    }),
    route({
      method: 'get', path: '/sms/templates', tag: 'templates', summary: 'Global SMS templates by usage then locale (a step\'s own templates override them)',
      handler: async () => { const { templates, head } = await sms.templates(); return { body: templates, etag: etagOf(head) }; },
    }),
    route({
      method: 'put', path: '/sms/templates', tag: 'templates', summary: 'Replace the global templates (each must compile; unknown variables are refused)', ifMatch: true,
      body: z.record(z.string(), z.unknown()),
      handler: async ({ body, ifMatch, actor }) => { const r = await sms.setTemplates(body, ifMatch, actor); return { body: r.templates, etag: etagOf(r.head) }; },
    }),
    route({
      method: 'get', path: '/sms/templates/export', tag: 'templates', summary: 'The global templates as config-file YAML',
      handler: async () => ({ body: await sms.exportTemplates(), type: 'application/yaml' }),
    }),
    route({
      method: 'post', path: '/sms/templates/preview', tag: 'templates', summary: 'Render a template with sample values: text, characters, SMS segments (GSM-7 160/153, UCS-2 70/67), unknown variables',
      body: z.object({ template: z.string().max(2000), usage: z.enum(usages).default('sign-in'), codeLength: z.number().int().min(4).max(10).optional() }).strict(),
      handler: async ({ body }) => ({ body: sms.preview(body.template, body.usage, body.codeLength) }),
    }),
  ];
}
