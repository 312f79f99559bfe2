// Writes of configuration documents for the admin: a rev check (ETag/If-Match), a new version,
// the audit entry with its diff, all in one store transaction; conflicts become problem documents.
import { AppError } from '../../errors.ts';
import type { DocHead, DocKind, DocWrite, Store } from '../../store/types.ts';
import { DocumentError } from '../../live/documents.ts';
import { diffDocuments } from '../../live/diff.ts';

export interface Actor { actor: string }

export const etagOf = (head: DocHead) => `"${head.rev}"`;

/** The rev an If-Match names; a mutation without one is refused (428), so no edit is lost to a race. */
export function expectedRev(ifMatch: string | undefined, what: string): number {
  if (!ifMatch) {
    throw new AppError(428, 'if_match_required', { detail: `send If-Match with the ETag from GET of ${what}, so a concurrent change is not overwritten` });
  }
  const m = /^"(\d{1,15})"$/.exec(ifMatch.trim()); // strong comparison (RFC 9110): a weak tag never matches
  if (!m) {
    throw new AppError(412, 'stale', { detail: `If-Match '${ifMatch.slice(0, 40)}' is not an ETag of ${what}: send the ETag header of the last GET as it is, quotes included (e.g. If-Match: "3")` });
  }
  return Number(m[1]);
}

export function refusal(wrote: Extract<DocWrite, { ok: false }>, what: string): AppError {
  if (wrote.conflict === 'missing') return new AppError(404, 'not_found', { detail: `${what} does not exist` });
  if (wrote.conflict === 'exists') return new AppError(409, 'exists', { detail: `${what} already exists` });
  return new AppError(412, 'stale', {
    detail: `${what} changed since you read it (its ETag is now "${wrote.head?.rev}"); GET it again, re-apply your change and retry`,
  });
}

/** A document that failed validation as a 422 naming the fields. */
export function invalid(err: unknown, what: string): never {
  if (err instanceof DocumentError) {
    throw new AppError(422, 'invalid_document', { detail: `${what} is not valid: ${err.fields[0]?.detail ?? ''}`, fields: err.fields });
  }
  throw err;
}

export async function writeDocument(store: Store, now: () => number, a: {
  kind: DocKind; id: string; body: unknown; before: unknown; expectRev: number | null; actor: string; action: string;
  source?: 'admin' | 'import'; what: string;
  /** What the audit diff compares, when it must not see the documents themselves (masked secrets). */
  audited?: { before: unknown; after: unknown };
}): Promise<DocHead> {
  const diff = a.audited ? diffDocuments(a.audited.before, a.audited.after) : diffDocuments(a.before, a.body);
  const wrote = await store.config.save(a.kind, a.id, { body: a.body, source: a.source ?? 'admin', actor: a.actor }, a.expectRev,
    { actor: a.actor, action: a.action, target: `${a.kind}:${a.id}`, diff }, now());
  if (!wrote.ok) throw refusal(wrote, a.what);
  return wrote.head;
}
