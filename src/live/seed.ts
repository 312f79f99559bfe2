// Files seed the store. At start-up every flow file, the bindings and the SMS connectors and
// templates of the config file are compared with the newest version that came from a file:
// - unchanged: nothing happens;
// - changed, and the active version is the file's: the file's new version becomes active;
// - changed after an admin's edit (or rollback): the file's version is stored but not activated,
//   and a warning says how to activate it. An admin's edit is never overwritten silently.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { LoadedFlow } from '../flows/loader.ts';
import type { DocKind, Store } from '../store/types.ts';
import { checkBindings, SINGLETON, type Bindings, type ConnectorChain } from './documents.ts';
import { maskChain } from '../sms/connectors/catalogue.ts';
import { diffDocuments } from './diff.ts';

export interface SeedDoc { kind: DocKind; id: string; body: unknown; builtIn: boolean }

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Connector chains are diffed as a GET shows them (no secret, even one copied into a URL). */
function auditedDiff(kind: DocKind, before: unknown, after: unknown) {
  const masked = (body: unknown) => (body && kind === 'sms-connectors' ? { connectors: maskChain((body as ConnectorChain).connectors) } : body);
  return diffDocuments(masked(before), masked(after));
}

export async function seedDocuments(store: Store, docs: SeedDoc[], log: Logger, now: number): Promise<void> {
  for (const doc of docs) {
    const head = await store.config.head(doc.kind, doc.id);
    const target = `${doc.kind}:${doc.id}`;
    if (!head) {
      const wrote = await store.config.save(doc.kind, doc.id, { body: doc.body, source: 'file', actor: 'file', builtIn: doc.builtIn }, null,
        { actor: 'file', action: `${doc.kind}.seed`, target, diff: [] }, now);
      if (!wrote.ok) log.debug({ target }, 'another instance seeded this document first');
      continue;
    }
    const fromFile = head.latestFileVersion ? await store.config.version(doc.kind, doc.id, head.latestFileVersion) : undefined;
    if (fromFile && same(fromFile.body, doc.body)) continue;
    const followsFile = head.activeVersion === head.latestFileVersion;
    const wrote = await store.config.save(doc.kind, doc.id, { body: doc.body, source: 'file', actor: 'file', activate: followsFile }, head.rev,
      { actor: 'file', action: `${doc.kind}.file-changed`, target, diff: auditedDiff(doc.kind, fromFile?.body ?? null, doc.body) }, now);
    if (!wrote.ok) continue;
    if (!followsFile) {
      log.warn({ target, active: head.activeVersion, fileVersion: wrote.head.latestVersion },
        `${target}: the file changed after an admin's edit; the admin's version ${head.activeVersion} stays active and the file is stored as version ${wrote.head.latestVersion} (activate it in the console or with POST /admin/api/…/versions/${wrote.head.latestVersion}/activate)`);
    }
  }
}

/** Seeds the flows of flowsDir, the bindings and the SMS settings of the config file (server and CLI alike). */
export async function seedFromFiles(store: Store, config: Config, flows: Map<string, LoadedFlow>, log: Logger, now: number): Promise<void> {
  const fileBindings: Bindings = { 'sign-in': config.signInFlow };
  // `register` and `reset-credentials` by their ids (as before bindings); change-phone: the first flow of that kind.
  for (const kind of ['register', 'reset-credentials', 'change-phone'] as const) {
    const id = flows.get(kind)?.kind === kind ? kind : kind === 'change-phone' ? [...flows.values()].find((f) => f.kind === kind)?.id : undefined;
    if (id) fileBindings[kind] = id;
  }
  await seedDocuments(store, [
    ...[...flows.values()].map((f) => ({ kind: 'flow' as const, id: f.id, body: f.document, builtIn: true })),
    { kind: 'bindings', id: SINGLETON, body: checkBindings(fileBindings, (id) => flows.get(id)?.kind), builtIn: true },
    { kind: 'sms-connectors', id: SINGLETON, body: { connectors: config.sms.connectors }, builtIn: true },
    { kind: 'sms-templates', id: SINGLETON, body: config.sms.templates, builtIn: true },
  ], log, now);
}
