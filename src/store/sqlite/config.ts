// Versioned configuration documents and the audit log on SQLite. Every write runs in one IMMEDIATE
// transaction: the rev check, the new version, the head, the generation and the audit entry land
// together or not at all, so two admins (or two instances) cannot both win a stale write.
import type Database from 'better-sqlite3';
import type { AuditInput, ConfigStore, DocHead, DocKind, DocWrite } from '../types.ts';
import { toAudit, toHead, toVersion, type Row } from '../rows.ts';



export function sqliteConfig(db: Database.Database): ConfigStore {
  const q = {
    head: db.prepare('SELECT * FROM config_docs WHERE kind = ? AND id = ?'),
    heads: db.prepare('SELECT * FROM config_docs WHERE kind = ? ORDER BY id'),
    version: db.prepare('SELECT * FROM config_versions WHERE kind = ? AND id = ? AND version = ?'),
    versions: db.prepare('SELECT * FROM config_versions WHERE kind = ? AND id = ? ORDER BY version DESC'),
    insertVersion: db.prepare(`INSERT INTO config_versions (kind, id, version, body, source, actor, created_at)
      VALUES (@kind, @id, @version, @body, @source, @actor, @createdAt)`),
    insertHead: db.prepare(`INSERT INTO config_docs (kind, id, active_version, latest_version, latest_file_version, rev, built_in, updated_at)
      VALUES (@kind, @id, @active, @latest, @latestFile, 1, @builtIn, @now)`),
    updateHead: db.prepare(`UPDATE config_docs SET active_version = @active, latest_version = @latest, latest_file_version = @latestFile,
      rev = rev + 1, updated_at = @now WHERE kind = @kind AND id = @id AND rev = @rev`),
    deleteHead: db.prepare('DELETE FROM config_docs WHERE kind = ? AND id = ? AND rev = ?'),
    deleteVersions: db.prepare('DELETE FROM config_versions WHERE kind = ? AND id = ?'),
    bump: db.prepare('UPDATE config_generation SET n = n + 1 WHERE one = 1'),
    generation: db.prepare('SELECT n FROM config_generation WHERE one = 1'),
    audit: db.prepare('INSERT INTO audit_log (at, actor, action, target, diff) VALUES (?, ?, ?, ?, ?)'),
    auditList: db.prepare(`SELECT * FROM audit_log WHERE id < @before AND (@target IS NULL OR target = @target)
      ORDER BY id DESC LIMIT @limit`),
  };
  const head = (kind: DocKind, id: string) => toHead(q.head.get(kind, id) as Row | undefined);
  const audit = (entry: AuditInput | null, now: number) => {
    if (entry) q.audit.run(now, entry.actor, entry.action, entry.target, JSON.stringify(entry.diff ?? null));
  };
  /** Checks the rev: null expects no document; a number expects that revision. */
  const check = (current: DocHead | undefined, expectRev: number | null): DocWrite | undefined => {
    if (expectRev === null) return current ? { ok: false, conflict: 'exists', head: current } : undefined;
    if (!current) return { ok: false, conflict: 'missing' };
    return current.rev === expectRev ? undefined : { ok: false, conflict: 'stale', head: current };
  };

  const save = db.transaction((kind: DocKind, id: string, write: Parameters<ConfigStore['save']>[2], expectRev: number | null, entry: AuditInput | null, now: number): DocWrite => {
    const current = head(kind, id);
    const refused = check(current, expectRev);
    if (refused) return refused;
    const version = (current?.latestVersion ?? 0) + 1;
    q.insertVersion.run({ kind, id, version, body: JSON.stringify(write.body), source: write.source, actor: write.actor, createdAt: now });
    const active = write.activate === false && current ? current.activeVersion : version;
    const latestFile = write.source === 'file' ? version : current?.latestFileVersion ?? 0;
    if (current) q.updateHead.run({ kind, id, active, latest: version, latestFile, now, rev: current.rev });
    else q.insertHead.run({ kind, id, active, latest: version, latestFile, builtIn: write.builtIn ? 1 : 0, now });
    q.bump.run();
    audit(entry, now);
    return { ok: true, head: head(kind, id)! };
  });

  const activate = db.transaction((kind: DocKind, id: string, version: number, expectRev: number, entry: AuditInput, now: number): DocWrite => {
    const current = head(kind, id);
    const refused = check(current, expectRev);
    if (refused) return refused;
    if (!q.version.get(kind, id, version)) return { ok: false, conflict: 'missing', head: current! };
    q.updateHead.run({ kind, id, active: version, latest: current!.latestVersion, latestFile: current!.latestFileVersion, now, rev: current!.rev });
    q.bump.run();
    audit(entry, now);
    return { ok: true, head: head(kind, id)! };
  });

  const remove = db.transaction((kind: DocKind, id: string, expectRev: number, entry: AuditInput, now: number): DocWrite => {
    const current = head(kind, id);
    const refused = check(current, expectRev);
    if (refused) return refused;
    q.deleteHead.run(kind, id, expectRev);
    q.deleteVersions.run(kind, id);
    q.bump.run();
    audit(entry, now);
    return { ok: true, head: current! };
  });

  return {
    async head(kind, id) { return head(kind, id); },
    async heads(kind) { return (q.heads.all(kind) as Row[]).map((r) => toHead(r)!); },
    async active(kind, id) {
      const h = head(kind, id);
      return h ? toVersion(q.version.get(kind, id, h.activeVersion) as Row | undefined) : undefined;
    },
    async version(kind, id, version) { return toVersion(q.version.get(kind, id, version) as Row | undefined); },
    async versions(kind, id) { return (q.versions.all(kind, id) as Row[]).map((r) => toVersion(r)!); },
    async save(kind, id, write, expectRev, entry, now) { return save.immediate(kind, id, write, expectRev, entry, now); },
    async activate(kind, id, version, expectRev, entry, now) { return activate.immediate(kind, id, version, expectRev, entry, now); },
    async remove(kind, id, expectRev, entry, now) { return remove.immediate(kind, id, expectRev, entry, now); },
    async generation() { return (q.generation.get() as { n: number }).n; },
    async audit({ limit, before, target }) {
      return (q.auditList.all({ before: before ?? Number.MAX_SAFE_INTEGER, target: target ?? null, limit }) as Row[]).map(toAudit);
    },
    async appendAudit(entry, now) { audit(entry, now); },
  };
}
