// The live configuration: the active flows, bindings, SMS connectors and templates, read from the
// store. Every interaction request calls refresh(), which reads one number (the store's
// generation) and reloads only when a document changed, so an edit takes effect on the next
// interaction on every instance, with no restart and no cache that can go stale.
// An interaction pins the flow version it started on (flowVersion in its state) and finishes on it.
import type { Logger } from 'pino';
import type { LoadedFlow } from '../flows/loader.ts';
import type { FlowKind } from '../flows/model.ts';
import type { AnyFactory } from '../flows/registry.ts';
import type { Store } from '../store/types.ts';
import { checkFlow, SINGLETON, type Bindings, type ConnectorChain, type SmsTemplates } from './documents.ts';

export interface LiveSnapshot {
  generation: number;
  /** Active version of every flow, by id. */
  flows: Map<string, LoadedFlow>;
  bindings: Bindings;
  templates: SmsTemplates;
  connectors: ConnectorChain;
  connectorsVersion: number;
}

export interface LiveOptions {
  store: Store;
  registry: Map<string, AnyFactory>;
  log: Logger;
  /** Called when the active connector chain changes (the dispatcher swaps its connectors). */
  onConnectors?(chain: ConnectorChain): void | Promise<void>;
}

export function createLive(opts: LiveOptions) {
  const { store, registry, log } = opts;
  /** Every flow version loaded so far, by `id@version` (versions never change once written). */
  const versions = new Map<string, LoadedFlow>();
  let snapshot: LiveSnapshot | undefined;
  let loading: { generation: number; promise: Promise<LiveSnapshot> } | undefined;

  const keyOf = (id: string, version: number) => `${id}@${version}`;

  async function loadVersion(id: string, version: number): Promise<LoadedFlow | undefined> {
    const cached = versions.get(keyOf(id, version));
    if (cached) return cached;
    const doc = await store.config.version('flow', id, version);
    if (!doc) return undefined;
    const flow = checkFlow(doc.body, registry, `flow '${id}' version ${version}`, version);
    versions.set(keyOf(id, version), flow);
    return flow;
  }

  async function load(generation: number, strict: boolean): Promise<LiveSnapshot> {
    const flows = new Map<string, LoadedFlow>();
    for (const head of await store.config.heads('flow')) {
      try {
        const flow = await loadVersion(head.id, head.activeVersion);
        if (flow) flows.set(head.id, flow);
      } catch (err) {
        // A stored flow that no longer validates (a plugin was removed): refused at start-up; later, the last good one stays.
        if (strict) throw err;
        log.error({ flow: head.id, version: head.activeVersion, err: (err as Error).message }, 'a stored flow does not validate; keeping the previous one');
        const previous = snapshot?.flows.get(head.id);
        if (previous) flows.set(head.id, previous);
      }
    }
    const bindings = (await store.config.active('bindings', SINGLETON))?.body as Bindings;
    const templates = ((await store.config.active('sms-templates', SINGLETON))?.body ?? {}) as SmsTemplates;
    const connectorsDoc = await store.config.active('sms-connectors', SINGLETON);
    const connectors = (connectorsDoc?.body ?? { connectors: [{ type: 'console' }] }) as ConnectorChain;
    const connectorsVersion = connectorsDoc?.version ?? 0;
    if (snapshot && snapshot.connectorsVersion !== connectorsVersion) await opts.onConnectors?.(connectors);
    return { generation, flows, bindings, templates, connectors, connectorsVersion };
  }

  async function refresh(strict = false): Promise<LiveSnapshot> {
    const generation = await store.config.generation();
    if (snapshot && snapshot.generation === generation) return snapshot;
    // A load already under way for this generation is shared; one for another generation (it began
    // before this change) is let finish, then this one loads: a change is never answered with an older load.
    if (loading?.generation !== generation) {
      const before = loading?.promise.catch(() => undefined);
      const promise: Promise<LiveSnapshot> = (async () => {
        await before;
        if (snapshot?.generation === generation) return snapshot;
        snapshot = await load(generation, strict);
        return snapshot;
      })().finally(() => { if (loading?.promise === promise) loading = undefined; });
      loading = { generation, promise };
    }
    return loading.promise;
  }

  const current = (): LiveSnapshot => {
    if (!snapshot) throw new Error('live configuration used before its first refresh');
    return snapshot;
  };

  return {
    refresh,
    current,
    /** The flow bound to a purpose (sign-in, register, …), if any. */
    bound(purpose: FlowKind): string | undefined {
      const id = current().bindings[purpose];
      return id && current().flows.has(id) ? id : undefined;
    },
    /** Loads (once) the version an interaction is pinned to; `undefined` version: the active one. */
    async pin(id: string, version: number | undefined): Promise<LoadedFlow | undefined> {
      const active = current().flows.get(id);
      if (version === undefined || active?.version === version) return active;
      return loadVersion(id, version);
    },
    /** A version already pinned (sync; pin() loaded it). */
    pinned(id: string, version: number | undefined): LoadedFlow | undefined {
      const active = current().flows.get(id);
      if (version === undefined || active?.version === version) return active;
      return versions.get(keyOf(id, version));
    },
  };
}

export type Live = ReturnType<typeof createLive>;
