// oidc-provider's models (sessions, grants, codes, tokens, interactions) on PostgreSQL: one row per
// model and id, the payload as JSON text; grant, uid, user code and account are copied out of it
// into their own columns so revocation and lookups need no JSON query.
import type { Store } from '../types.ts';
import type { Db } from './pool.ts';
import { toRecord } from '../rows.ts';

/**
 * A key with a NUL character (PostgreSQL's text cannot hold one) names no stored artefact: lookups
 * find nothing and writes to it change nothing, as on SQLite, instead of failing the provider's
 * request (`/token` with `code=a%00b` answers invalid_grant, not 500).
 */
const unstorable = (...keys: readonly unknown[]) => keys.some((k) => typeof k === 'string' && k.includes('\u0000'));

export function postgresOidc(db: Db): Store['oidc'] {
  const one = async (sql: string, params: readonly unknown[]) => (unstorable(...params) ? undefined
    : toRecord((await db.run(sql, params)).rows[0], Date.now()));
  const count = async (sql: string, params: readonly unknown[]) => (await db.run(sql, params)).rowCount ?? 0;
  return {
    async upsert(model, id, payload, expiresAt) {
      await db.run(`INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, account_id, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
          uid = excluded.uid, account_id = excluded.account_id, expires_at = excluded.expires_at`, [
        model, id, JSON.stringify(payload), (payload.grantId as string | undefined) ?? null, (payload.userCode as string | undefined) ?? null,
        (payload.uid as string | undefined) ?? null, (payload.accountId as string | undefined) ?? null, expiresAt,
      ]);
    },
    find: (model, id) => one('SELECT * FROM oidc_models WHERE model = $1 AND id = $2', [model, id]),
    findByUid: (model, uid) => one('SELECT * FROM oidc_models WHERE model = $1 AND uid = $2 LIMIT 1', [model, uid]),
    findByUserCode: (model, code) => one('SELECT * FROM oidc_models WHERE model = $1 AND user_code = $2 LIMIT 1', [model, code]),
    async consume(model, id, at) { if (!unstorable(id)) await db.run('UPDATE oidc_models SET consumed_at = $1 WHERE model = $2 AND id = $3', [at, model, id]); },
    async destroy(model, id) { if (!unstorable(id)) await db.run('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [model, id]); },
    async revokeByGrantId(model, grantId) { if (!unstorable(grantId)) await db.run('DELETE FROM oidc_models WHERE model = $1 AND grant_id = $2', [model, grantId]); },
    revokeByAccountId: (accountId) => count("DELETE FROM oidc_models WHERE account_id = $1 AND model <> 'Interaction'", [accountId]),
    revokeByAccountIdExcept: (accountId, keep) => count(`DELETE FROM oidc_models WHERE account_id = $1 AND model <> 'Interaction'
      AND NOT (model = 'Session' AND uid = $2)
      AND NOT (model = 'Grant' AND id = ANY($3::text[]))
      AND (grant_id IS NULL OR grant_id <> ALL($3::text[]))`, [accountId, keep.sessionUid, keep.grantIds]),
  };
}
