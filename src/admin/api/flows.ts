// /admin/api/flows…: flows, their steps and versions, and the bindings (thin: the service decides).
import { z } from 'zod';
import { requirements, stepSchema } from '../../flows/model.ts';
import type { FlowService } from '../service/flows.ts';
import { etagOf } from '../service/documents.ts';
import { route, type ApiRoute } from './define.ts';

const anyDocument = z.record(z.string(), z.unknown());
const version = (v: string) => (/^\d{1,9}$/.test(v) ? Number(v) : -1);
const asFlow = (r: { document: unknown; head: Parameters<typeof etagOf>[0] }, status = 200) => ({
  status, body: r.document, etag: etagOf(r.head), headers: { 'flowgate-version': String(r.head.activeVersion) },
});

export function flowRoutes(flows: FlowService): ApiRoute[] {
  return [
    route({ method: 'get', path: '/flows', tag: 'flows', summary: 'List flows with their kind, versions and bindings', handler: async () => ({ body: await flows.list() }) }),
    route({
      method: 'post', path: '/flows', tag: 'flows', summary: 'Create a flow (the body is a flows/*.yaml document as JSON)', body: anyDocument,
      ok: { status: 201, description: 'created' },
      handler: async ({ body, actor }) => ({ ...asFlow(await flows.create(body, actor), 201), headers: { location: `/admin/api/flows/${String(body.id)}` } }),
    }),
    route({
      method: 'post', path: '/flows/import', tag: 'flows', summary: 'Import a flow file (YAML or JSON): creates it, or a new version of an admin flow', body: anyDocument, yaml: true,
      handler: async ({ body, actor }) => asFlow(await flows.importFlow(body, actor)),
    }),
    route({ method: 'get', path: '/flows/:id', tag: 'flows', summary: 'The active version of a flow (ETag for If-Match)', handler: async ({ params }) => asFlow(await flows.read(params.id!)) }),
    route({
      method: 'put', path: '/flows/:id', tag: 'flows', summary: 'Replace a flow (a new version; built-in flows are copied first)', body: anyDocument, ifMatch: true,
      handler: async ({ params, body, ifMatch, actor }) => asFlow(await flows.update(params.id!, body, ifMatch, actor)),
    }),
    route({
      method: 'delete', path: '/flows/:id', tag: 'flows', summary: 'Delete an admin flow that is not bound', ifMatch: true, ok: { status: 204, description: 'deleted' },
      handler: async ({ params, ifMatch, actor }) => { await flows.remove(params.id!, ifMatch, actor); return { status: 204 }; },
    }),
    route({
      method: 'post', path: '/flows/:id/copy', tag: 'flows', summary: 'Copy a flow under a new id (how a built-in flow is edited)',
      body: z.object({ id: z.string() }).strict(), ok: { status: 201, description: 'the copy' },
      handler: async ({ params, body, actor }) => ({ ...asFlow(await flows.copy(params.id!, body.id, actor), 201), headers: { location: `/admin/api/flows/${body.id}` } }),
    }),
    route({
      method: 'get', path: '/flows/:id/export', tag: 'flows', summary: 'The flow as a flows/*.yaml file',
      handler: async ({ params }) => ({ body: await flows.exportYaml(params.id!), type: 'application/yaml' }),
    }),
    route({ method: 'get', path: '/flows/:id/versions', tag: 'versions', summary: 'Every version of a flow, newest first', handler: async ({ params }) => ({ body: await flows.versions(params.id!) }) }),
    route({
      method: 'get', path: '/flows/:id/versions/:version', tag: 'versions', summary: 'One version of a flow',
      handler: async ({ params }) => ({ body: await flows.version(params.id!, version(params.version!)) }),
    }),
    route({
      method: 'post', path: '/flows/:id/versions/:version/activate', tag: 'versions', summary: 'Make a version active again (rollback)', ifMatch: true,
      handler: async ({ params, ifMatch, actor }) => {
        const head = await flows.activate(params.id!, version(params.version!), ifMatch, actor);
        return { body: { activeVersion: head.activeVersion }, etag: etagOf(head) };
      },
    }),
    route({
      method: 'post', path: '/flows/:id/steps', tag: 'steps', summary: 'Add a step (at the end, or at `index` of the sub-flow `parent`)', ifMatch: true,
      body: z.object({ step: stepSchema, parent: z.string().optional(), index: z.number().int().min(0).optional() }).strict(),
      handler: async ({ params, body, ifMatch, actor }) => asFlow(await flows.addStep(params.id!, body.step, body.parent, body.index, ifMatch, actor)),
    }),
    route({
      method: 'delete', path: '/flows/:id/steps/:stepId', tag: 'steps', summary: 'Remove a step', ifMatch: true,
      handler: async ({ params, ifMatch, actor }) => asFlow(await flows.removeStep(params.id!, params.stepId!, ifMatch, actor)),
    }),
    route({
      method: 'post', path: '/flows/:id/steps/:stepId/move', tag: 'steps', summary: 'Move a step up or down within its level', ifMatch: true,
      body: z.object({ direction: z.enum(['up', 'down']) }).strict(),
      handler: async ({ params, body, ifMatch, actor }) => asFlow(await flows.moveStep(params.id!, params.stepId!, body.direction, ifMatch, actor)),
    }),
    route({
      method: 'put', path: '/flows/:id/steps/:stepId/requirement', tag: 'steps', summary: 'Set a step\'s requirement', ifMatch: true,
      body: z.object({ requirement: z.enum(requirements) }).strict(),
      handler: async ({ params, body, ifMatch, actor }) => asFlow(await flows.setRequirement(params.id!, params.stepId!, body.requirement, ifMatch, actor)),
    }),
    route({
      method: 'get', path: '/flows/:id/steps/:stepId/config', tag: 'steps', summary: 'A step\'s config as written (PUT takes the same object; defaults: GET /catalogue/authenticators)',
      handler: async ({ params }) => {
        const { head, config, authenticator } = await flows.stepConfig(params.id!, params.stepId!);
        return { body: config, etag: etagOf(head), headers: { 'flowgate-authenticator': authenticator } };
      },
    }),
    route({
      method: 'put', path: '/flows/:id/steps/:stepId/config', tag: 'steps', summary: 'Replace a step\'s config (checked by its authenticator\'s schema)', ifMatch: true,
      body: z.record(z.string(), z.unknown()),
      handler: async ({ params, body, ifMatch, actor }) => asFlow(await flows.setConfig(params.id!, params.stepId!, body, ifMatch, actor)),
    }),
    route({
      method: 'get', path: '/bindings', tag: 'bindings', summary: 'Which flow serves sign-in, register, reset-credentials and change-phone',
      handler: async () => { const { bindings, head } = await flows.bindings(); return { body: bindings, etag: etagOf(head) }; },
    }),
    route({
      method: 'put', path: '/bindings', tag: 'bindings', summary: 'Bind flows to purposes (each flow\'s kind must match); a purpose left out keeps its flow, null unbinds it', ifMatch: true,
      body: z.record(z.string(), z.unknown()),
      handler: async ({ body, ifMatch, actor }) => {
        const head = await flows.setBindings(body, ifMatch, actor);
        return { body: (await flows.bindings()).bindings, etag: etagOf(head) };
      },
    }),
  ];
}
