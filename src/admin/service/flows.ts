// The admin's flow operations: list, read, create (or copy), update, delete, versions and
// rollback, step edits, bindings, export and import. Built-in flows (from flows/*.yaml) are
// copied before an edit (Keycloak's rule); every change is a new version with who and when.
import { stringify } from 'yaml';
import { AppError } from '../../errors.ts';
import { flowKinds, type FlowDef, type FlowKind, type Requirement, type StepDef } from '../../flows/model.ts';
import { parseFlowYaml, FlowError } from '../../flows/loader.ts';
import type { AnyFactory } from '../../flows/registry.ts';
import type { Live } from '../../live/index.ts';
import { checkBindings, checkFlow, SINGLETON, type Bindings } from '../../live/documents.ts';
import { diffDocuments } from '../../live/diff.ts';
import type { DocHead, Store } from '../../store/types.ts';
import { expectedRev, invalid, refusal, writeDocument } from './documents.ts';
import * as steps from './steps.ts';

export interface FlowServiceDeps { store: Store; live: Live; registry: Map<string, AnyFactory>; now: () => number }

export interface FlowSummary {
  id: string; kind: FlowKind; description?: string; builtIn: boolean; activeVersion: number; latestVersion: number; rev: number;
  updatedAt: number; boundTo: FlowKind[];
}

export function flowService(deps: FlowServiceDeps) {
  const { store, live, registry, now } = deps;
  const what = (id: string) => `flow '${id}'`;

  async function head(id: string): Promise<DocHead> {
    const h = await store.config.head('flow', id);
    if (!h) throw new AppError(404, 'not_found', { detail: `${what(id)} does not exist` });
    return h;
  }

  async function bindings(): Promise<{ bindings: Bindings; head: DocHead }> {
    const doc = await store.config.active('bindings', SINGLETON);
    return { bindings: doc!.body as Bindings, head: (await store.config.head('bindings', SINGLETON))! };
  }

  const boundTo = (b: Bindings, id: string) => flowKinds.filter((k) => b[k] === id);

  /** The document, validated as at start-up; a refusal is a 422 naming the field. */
  function validate(body: unknown, id: string): FlowDef {
    try {
      return checkFlow(body, registry, what(id)).document;
    } catch (err) {
      return invalid(err, what(id));
    }
  }

  async function read(id: string): Promise<{ document: FlowDef; head: DocHead }> {
    const h = await head(id);
    const doc = await store.config.version('flow', id, h.activeVersion);
    return { document: doc!.body as FlowDef, head: h };
  }

  /** An edit of a flow: refused on built-ins and stale revs; validated; saved as a new active version. */
  async function edit(id: string, ifMatch: string | undefined, actor: string, action: string, change: (doc: FlowDef) => FlowDef) {
    const rev = expectedRev(ifMatch, what(id));
    const { document, head: h } = await read(id);
    if (h.builtIn) {
      throw new AppError(409, 'built_in', {
        detail: `${what(id)} is built in (from flows/${id}.yaml); copy it first (POST /admin/api/flows/${id}/copy with {"id": "my-${id}"}), edit the copy and bind it`,
      });
    }
    if (h.rev !== rev) throw refusal({ ok: false, conflict: 'stale', head: h }, what(id));
    const next = validate(change(document), id);
    if (next.id !== id) throw new AppError(422, 'invalid_document', { detail: 'the id of a flow cannot change; copy it instead', fields: [{ pointer: '/id', detail: `must be '${id}'` }] });
    const wrote = await writeDocument(store, now, { kind: 'flow', id, body: next, before: document, expectRev: rev, actor, action, what: what(id) });
    return { document: next, head: wrote };
  }

  return {
    async list(): Promise<FlowSummary[]> {
      const { bindings: b } = await bindings();
      const out: FlowSummary[] = [];
      for (const h of await store.config.heads('flow')) {
        const doc = (await store.config.version('flow', h.id, h.activeVersion))!.body as FlowDef;
        out.push({
          id: h.id, kind: doc.kind, ...(doc.description ? { description: doc.description } : {}), builtIn: h.builtIn,
          activeVersion: h.activeVersion, latestVersion: h.latestVersion, rev: h.rev, updatedAt: h.updatedAt, boundTo: boundTo(b, h.id),
        });
      }
      return out;
    },

    read,

    async create(body: unknown, actor: string, source: 'admin' | 'import' = 'admin') {
      const id = (body as { id?: unknown } | null)?.id;
      const document = validate(body, typeof id === 'string' ? id : '(new)');
      const wrote = await writeDocument(store, now, { kind: 'flow', id: document.id, body: document, before: null, expectRev: null, actor, action: 'flow.create', source, what: what(document.id) });
      return { document, head: wrote };
    },

    async copy(id: string, newId: string, actor: string) {
      const { document } = await read(id);
      const copy = validate({ ...document, id: newId, description: document.description ?? `Copy of ${id}` }, newId);
      const wrote = await writeDocument(store, now, { kind: 'flow', id: newId, body: copy, before: null, expectRev: null, actor, action: 'flow.copy', what: what(newId) });
      return { document: copy, head: wrote };
    },

    update: (id: string, body: unknown, ifMatch: string | undefined, actor: string) => edit(id, ifMatch, actor, 'flow.update', () => body as FlowDef),

    async remove(id: string, ifMatch: string | undefined, actor: string) {
      const rev = expectedRev(ifMatch, what(id));
      const h = await head(id);
      if (h.builtIn) throw new AppError(409, 'built_in', { detail: `${what(id)} is built in (from a file); remove the file instead` });
      const bound = boundTo((await bindings()).bindings, id);
      if (bound.length) throw new AppError(409, 'bound', { detail: `${what(id)} is bound to ${bound.join(', ')}; bind another flow first` });
      const wrote = await store.config.remove('flow', id, rev, { actor, action: 'flow.delete', target: `flow:${id}`, diff: [] }, now());
      if (!wrote.ok) throw refusal(wrote, what(id));
    },

    async versions(id: string) {
      const h = await head(id);
      return (await store.config.versions('flow', id)).map((v) => ({
        version: v.version, source: v.source, actor: v.actor, createdAt: v.createdAt, active: v.version === h.activeVersion,
      }));
    },

    async version(id: string, version: number) {
      const v = await store.config.version('flow', id, version);
      if (!v) throw new AppError(404, 'not_found', { detail: `${what(id)} has no version ${version}` });
      return v.body as FlowDef;
    },

    /** Rollback (or forward): makes a stored version active again. */
    async activate(id: string, version: number, ifMatch: string | undefined, actor: string) {
      const rev = expectedRev(ifMatch, what(id));
      const { document: before } = await read(id);
      const target = await store.config.version('flow', id, version);
      if (!target) throw new AppError(404, 'not_found', { detail: `${what(id)} has no version ${version}` });
      validate(target.body, id); // an old version must still pass today's checks (a plugin may be gone)
      const wrote = await store.config.activate('flow', id, version, rev,
        { actor, action: 'flow.activate', target: `flow:${id}`, diff: [{ path: '/version', op: 'change', to: version }, ...diffDocuments(before, target.body)] }, now());
      if (!wrote.ok) throw refusal(wrote, what(id));
      return wrote.head;
    },

    addStep: (id: string, step: StepDef, parent: string | undefined, index: number | undefined, ifMatch: string | undefined, actor: string) =>
      edit(id, ifMatch, actor, 'step.add', (doc) => steps.addStep(doc, step, parent, index)),
    removeStep: (id: string, stepId: string, ifMatch: string | undefined, actor: string) =>
      edit(id, ifMatch, actor, 'step.remove', (doc) => steps.removeStep(doc, stepId)),
    moveStep: (id: string, stepId: string, direction: 'up' | 'down', ifMatch: string | undefined, actor: string) =>
      edit(id, ifMatch, actor, 'step.move', (doc) => steps.moveStep(doc, stepId, direction)),
    setRequirement: (id: string, stepId: string, requirement: Requirement, ifMatch: string | undefined, actor: string) =>
      edit(id, ifMatch, actor, 'step.requirement', (doc) => steps.setRequirement(doc, stepId, requirement)),
    /** Refusals point into the submitted config (`/codeLength`), not into the flow. */
    async setConfig(id: string, stepId: string, config: Record<string, unknown>, ifMatch: string | undefined, actor: string) {
      const at = steps.stepPointer((await read(id)).document, stepId);
      try {
        return await edit(id, ifMatch, actor, 'step.config', (doc) => steps.setConfig(doc, stepId, config));
      } catch (err) {
        const prefix = `${at}/config`;
        if (!(err instanceof AppError) || !err.fields.some((f) => f.pointer === prefix || f.pointer.startsWith(`${prefix}/`))) throw err;
        const fields = err.fields.map((f) => ({ ...f, pointer: f.pointer.startsWith(prefix) ? f.pointer.slice(prefix.length) : f.pointer }));
        throw new AppError(err.status, err.code, { detail: `the config of step '${stepId}' is not valid: ${fields[0]!.pointer || '(config)'}: ${fields[0]!.detail}`, fields });
      }
    },
    async stepConfig(id: string, stepId: string) {
      const { document, head: h } = await read(id);
      const step = steps.getStep(document, stepId);
      if (!step.authenticator) throw new AppError(409, 'not_an_authenticator', { detail: `step '${stepId}' is a sub-flow; it has no config` });
      const factory = registry.get(step.authenticator)!;
      return { config: step.config ?? {}, defaults: factory.defaultConfig as unknown, authenticator: step.authenticator, head: h };
    },

    bindings,
    async setBindings(body: unknown, ifMatch: string | undefined, actor: string) {
      const rev = expectedRev(ifMatch, 'the bindings');
      const { bindings: before } = await bindings();
      const kinds = new Map<string, FlowKind>();
      for (const h of await store.config.heads('flow')) kinds.set(h.id, ((await store.config.version('flow', h.id, h.activeVersion))!.body as FlowDef).kind);
      // A purpose left out keeps its flow; `null` unbinds it (sign-in is always bound).
      const merged: Record<string, unknown> = { ...before };
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        for (const [purpose, flowId] of Object.entries(body)) {
          if (flowId === null) delete merged[purpose];
          else merged[purpose] = flowId;
        }
      }
      let next: Bindings;
      try {
        next = checkBindings(merged, (id) => kinds.get(id));
      } catch (err) {
        return invalid(err, 'the bindings');
      }
      return writeDocument(store, now, { kind: 'bindings', id: SINGLETON, body: next, before, expectRev: rev, actor, action: 'bindings.update', what: 'the bindings' });
    },

    /** The flow as a flows/*.yaml file. */
    async exportYaml(id: string): Promise<string> {
      const { document } = await read(id);
      return stringify(document);
    },

    /** A flow file (YAML or a parsed document): creates the flow, or makes a new version of an admin flow. */
    async importFlow(source: string | unknown, actor: string) {
      let body: unknown;
      try {
        body = typeof source === 'string' ? parseFlowYaml('the import', source) : source;
      } catch (err) {
        if (err instanceof FlowError) throw new AppError(400, 'invalid_body', { detail: err.detail });
        throw err;
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new AppError(400, 'invalid_body', { detail: 'not a flow document: expected a YAML mapping with id, kind and steps (as in flows/*.yaml)' });
      }
      const id = (body as { id?: unknown }).id;
      const existing = typeof id === 'string' ? await store.config.head('flow', id) : undefined;
      if (!existing) return { ...await this.create(body, actor, 'import'), changed: true };
      if (existing.builtIn) throw new AppError(409, 'built_in', { detail: `${what(String(id))} is built in (from a file); import it under another id` });
      const document = validate(body, String(id));
      const { document: before, head: current } = await read(String(id));
      if (JSON.stringify(before) === JSON.stringify(document)) return { document, head: current, changed: false }; // the same file again: no new version
      const wrote = await writeDocument(store, now, { kind: 'flow', id: document.id, body: document, before, expectRev: existing.rev, actor, action: 'flow.import', source: 'import', what: what(document.id) });
      return { document, head: wrote, changed: true };
    },

    /** The live state (for tests and the console): refreshed now. */
    refresh: () => live.refresh(),
  };
}

export type FlowService = ReturnType<typeof flowService>;
