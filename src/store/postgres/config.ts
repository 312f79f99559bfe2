// Versioned configuration documents and the audit log on PostgreSQL. Every write is one
// transaction that first locks the generation row: config writes (rare) are serialized across
// instances, so the rev check, the new version, the head, the generation and the audit entry land
// together or not at all, and two admins (or two instances) cannot both win a stale write.
import type { AuditInput, ConfigStore, DocHead, DocKind, DocWrite } from '../types.ts';
import type { Db, Run } from './pool.ts';
import { toAudit, toHead, toVersion } from '../rows.ts';

const headOf = async (run: Run, kind: DocKind, id: string) =>
  toHead((await run('SELECT * FROM config_docs WHERE kind = $1 AND id = $2', [kind, id])).rows[0]);

const versionOf = async (run: Run, kind: DocKind, id: string, version: number) =>
  toVersion((await run('SELECT * FROM config_versions WHERE kind = $1 AND id = $2 AND version = $3', [kind, id, version])).rows[0]);

async function audit(run: Run, entry: AuditInput | null, now: number): Promise<void> {
  if (entry) {
    await run('INSERT INTO audit_log (at, actor, action, target, diff) VALUES ($1, $2, $3, $4, $5)',
      [now, entry.actor, entry.action, entry.target, JSON.stringify(entry.diff ?? null)]);
  }
}

/** Checks the rev: null expects no document; a number expects that revision. */
function check(current: DocHead | undefined, expectRev: number | null): DocWrite | undefined {
  if (expectRev === null) return current ? { ok: false, conflict: 'exists', head: current } : undefined;
  if (!current) return { ok: false, conflict: 'missing' };
  return current.rev === expectRev ? undefined : { ok: false, conflict: 'stale', head: current };
}

const setHead = (run: Run, kind: DocKind, id: string, h: { active: number; latest: number; latestFile: number; rev: number }, now: number) =>
  run(`UPDATE config_docs SET active_version = $3, latest_version = $4, latest_file_version = $5, rev = rev + 1, updated_at = $6
    WHERE kind = $1 AND id = $2 AND rev = $7`, [kind, id, h.active, h.latest, h.latestFile, now, h.rev]);

const bump = (run: Run) => run('UPDATE config_generation SET n = n + 1 WHERE one = 1');

export function postgresConfig(db: Db): ConfigStore {
  /** One config write: the generation row's lock first (it serializes every config write), then `fn`. */
  const write = (fn: (run: Run) => Promise<DocWrite>) => db.tx(fn, 'SELECT n FROM config_generation WHERE one = 1 FOR UPDATE;');

  return {
    async head(kind, id) { return headOf(db.run, kind, id); },
    async heads(kind) { return (await db.run('SELECT * FROM config_docs WHERE kind = $1 ORDER BY id', [kind])).rows.map((r) => toHead(r)!); },
    async active(kind, id) {
      const h = await headOf(db.run, kind, id);
      return h ? versionOf(db.run, kind, id, h.activeVersion) : undefined;
    },
    async version(kind, id, version) { return versionOf(db.run, kind, id, version); },
    async versions(kind, id) {
      return (await db.run('SELECT * FROM config_versions WHERE kind = $1 AND id = $2 ORDER BY version DESC', [kind, id])).rows.map((r) => toVersion(r)!);
    },
    save(kind, id, w, expectRev, entry, now) {
      return write(async (run) => {
        const current = await headOf(run, kind, id);
        const refused = check(current, expectRev);
        if (refused) return refused;
        const version = (current?.latestVersion ?? 0) + 1;
        await run(`INSERT INTO config_versions (kind, id, version, body, source, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [kind, id, version, JSON.stringify(w.body), w.source, w.actor, now]);
        const active = w.activate === false && current ? current.activeVersion : version;
        const latestFile = w.source === 'file' ? version : current?.latestFileVersion ?? 0;
        if (current) await setHead(run, kind, id, { active, latest: version, latestFile, rev: current.rev }, now);
        else {
          await run(`INSERT INTO config_docs (kind, id, active_version, latest_version, latest_file_version, rev, built_in, updated_at)
            VALUES ($1, $2, $3, $4, $5, 1, $6, $7)`, [kind, id, active, version, latestFile, w.builtIn === true, now]);
        }
        await bump(run);
        await audit(run, entry, now);
        return { ok: true, head: (await headOf(run, kind, id))! };
      });
    },
    activate(kind, id, version, expectRev, entry, now) {
      return write(async (run) => {
        const current = await headOf(run, kind, id);
        const refused = check(current, expectRev);
        if (refused) return refused;
        if (!(await versionOf(run, kind, id, version))) return { ok: false, conflict: 'missing', head: current! };
        await setHead(run, kind, id, { active: version, latest: current!.latestVersion, latestFile: current!.latestFileVersion, rev: current!.rev }, now);
        await bump(run);
        await audit(run, entry, now);
        return { ok: true, head: (await headOf(run, kind, id))! };
      });
    },
    remove(kind, id, expectRev, entry, now) {
      return write(async (run) => {
        const current = await headOf(run, kind, id);
        const refused = check(current, expectRev);
        if (refused) return refused;
        await run('DELETE FROM config_docs WHERE kind = $1 AND id = $2 AND rev = $3', [kind, id, expectRev]);
        await run('DELETE FROM config_versions WHERE kind = $1 AND id = $2', [kind, id]);
        await bump(run);
        await audit(run, entry, now);
        return { ok: true, head: current! };
      });
    },
    async generation() { return (await db.run('SELECT n FROM config_generation WHERE one = 1')).rows[0]!.n as number; },
    async audit({ limit, before, target }) {
      return (await db.run(`SELECT * FROM audit_log WHERE id < $1 AND ($2::text IS NULL OR target = $2) ORDER BY id DESC LIMIT $3`,
        [before ?? Number.MAX_SAFE_INTEGER, target ?? null, limit])).rows.map(toAudit);
    },
    async appendAudit(entry, now) { await audit(db.run, entry, now); },
  };
}
