// Accounts on PostgreSQL. The phone number's UNIQUE constraint decides between two creations or
// phone changes at once. Search: the phone contains the query's digits, or the name contains the
// query (case-insensitive; strpos, so `%` and `_` in a query are plain characters).
import { randomUUID } from 'node:crypto';
import type { NewUser, Store, User, UserPatch } from '../types.ts';
import type { Db } from './pool.ts';
import { toUser } from '../rows.ts';

const UNIQUE_VIOLATION = '23505';
/** What an update may change, and its column (a fixed list: no column name comes from input). */
const PATCHABLE = [
  ['name', 'name'], ['email', 'email'], ['passwordHash', 'password_hash'], ['attributes', 'attributes'], ['roles', 'roles'], ['disabledAt', 'disabled_at'],
] as const satisfies ReadonlyArray<readonly [keyof UserPatch, string]>;

export function postgresUsers(db: Db): Store['users'] {
  const byId = async (id: string) => toUser((await db.run('SELECT * FROM users WHERE id = $1', [id])).rows[0]);
  return {
    findById: byId,
    async findByPhone(phone) { return toUser((await db.run('SELECT * FROM users WHERE phone = $1', [phone])).rows[0]); },
    async create(u: NewUser) {
      const user: User = {
        id: randomUUID(), phone: u.phone, phoneVerified: u.phoneVerified ?? false, name: u.name ?? null, email: u.email ?? null,
        passwordHash: u.passwordHash ?? null, attributes: u.attributes ?? {}, roles: [], disabledAt: null, createdAt: Date.now(),
      };
      await db.run(`INSERT INTO users (id, phone, phone_verified, name, email, password_hash, attributes, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [user.id, user.phone, user.phoneVerified, user.name, user.email, user.passwordHash, JSON.stringify(user.attributes), user.createdAt]);
      return user;
    },
    async update(id, patch) {
      // One UPDATE of the patched columns only: two admins changing different fields at once both land.
      const sets: string[] = [];
      const values: unknown[] = [id];
      for (const [field, column] of PATCHABLE) {
        if (!(field in patch)) continue;
        const value = patch[field];
        values.push(field === 'attributes' || field === 'roles' ? JSON.stringify(value) : value ?? null);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length === 0) return byId(id);
      return toUser((await db.run(`UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, values)).rows[0]);
    },
    async updatePhone(id, phone) {
      try {
        return (await db.run('UPDATE users SET phone = $1, phone_verified = true WHERE id = $2', [phone, id])).rowCount === 1 ? 'updated' : 'missing';
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) return 'taken';
        throw err;
      }
    },
    async search(query, limit) {
      const text = query.trim().slice(0, 100);
      const digits = /^[+\d\s().-]+$/.test(text) ? text.replace(/\D/g, '') : '';
      const name = digits ? '' : text;
      const { rows } = await db.run(`SELECT * FROM users WHERE ($1 <> '' AND strpos(phone, $1) > 0)
        OR ($2 <> '' AND strpos(lower(coalesce(name, '')), lower($2)) > 0) OR ($1 = '' AND $2 = '')
        ORDER BY created_at DESC, id LIMIT $3`, [digits, name, limit]);
      return rows.map((r) => toUser(r)!);
    },
    async remove(id) { return (await db.run('DELETE FROM users WHERE id = $1', [id])).rowCount === 1; },
  };
}
