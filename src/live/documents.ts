// The configuration documents an admin edits live, and how each is validated. The same checks run
// at start-up (files), on an admin's write and on an import: nothing invalid reaches the store.
import { z } from 'zod';
import { connectorSchema, smsTemplatesSchema, type ConnectorConfig, type SmsTemplates } from '../config/schema.ts';
import { pointer, type FieldProblem } from '../errors.ts';
import { flowKinds, type FlowKind } from '../flows/model.ts';
import { FlowError, validateFlow, type LoadedFlow } from '../flows/loader.ts';
import type { AnyFactory } from '../flows/registry.ts';

/** The single id of the one-per-installation documents (bindings, SMS connectors, templates). */
export const SINGLETON = 'default';

/** Which flow serves each purpose (Keycloak's "Bind flow"); a purpose is a flow kind. */
export type Bindings = Partial<Record<FlowKind, string>> & { 'sign-in': string };
export const bindingsSchema = z.object(Object.fromEntries(flowKinds.map((k) => [k, k === 'sign-in' ? z.string() : z.string().optional()])) as Record<FlowKind, z.ZodString>).strict();

export const connectorChainSchema = z.object({ connectors: z.array(connectorSchema).min(1) }).strict();
export interface ConnectorChain { connectors: ConnectorConfig[] }
export { smsTemplatesSchema };
export type { SmsTemplates };

/** A refused document: the fields, with JSON pointers into it. */
export class DocumentError extends Error {
  override name = 'DocumentError';
  constructor(readonly fields: FieldProblem[]) {
    super(fields.map((f) => `${f.pointer || '(document)'}: ${f.detail}`).join('; '));
  }
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new DocumentError(parsed.error.issues.map((i) => ({ pointer: pointer(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))), detail: i.message })));
}

export function checkFlow(body: unknown, registry: Map<string, AnyFactory>, name: string, version = 0): LoadedFlow {
  try {
    return validateFlow(body, registry, name, version);
  } catch (err) {
    if (err instanceof FlowError) throw new DocumentError([{ pointer: err.pointer, detail: err.detail }]);
    throw err;
  }
}

/** Bindings name existing flows of the purpose's kind; sign-in is always bound. */
export function checkBindings(body: unknown, flowKind: (id: string) => FlowKind | undefined): Bindings {
  const bindings = parseWith(bindingsSchema, body) as Bindings;
  const problems: FieldProblem[] = [];
  for (const [purpose, flowId] of Object.entries(bindings)) {
    if (flowId === undefined) continue;
    const kind = flowKind(flowId);
    if (!kind) problems.push({ pointer: `/${purpose}`, detail: `no flow with id '${flowId}'` });
    else if (kind !== purpose) problems.push({ pointer: `/${purpose}`, detail: `flow '${flowId}' is of kind ${kind}; the ${purpose} binding needs a flow of kind ${purpose}` });
  }
  if (problems.length) throw new DocumentError(problems);
  return bindings;
}

export const checkConnectorChain = (body: unknown): ConnectorChain => parseWith(connectorChainSchema, body) as ConnectorChain;
export const checkTemplates = (body: unknown): SmsTemplates => parseWith(smsTemplatesSchema, body);
