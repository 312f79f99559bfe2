// The account library (src/accounts) against a real SQLite file: every admin-facing change writes
// an audit entry (target user:<id>, a diff without secrets); disabling and removing end every
// session and token; a disabled account is no account for the provider.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAccounts, type Accounts } from '../../src/accounts/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { AppError } from '../../src/errors.ts';
import { createGuard } from '../../src/guard/index.ts';
import { createLogger } from '../../src/log.ts';
import { createFindAccount } from '../../src/oidc/accounts.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { Store, User } from '../../src/store/types.ts';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const dir = mkdtempSync(join(tmpdir(), 'flowgate-accounts-'));
let store: Store;
let accounts: Accounts;
let clock = Date.parse('2026-12-01T09:00:00Z');
const now = () => clock;
let phoneSeq = 100;
const nextPhone = () => `+1202555${String(phoneSeq++).padStart(4, '0')}`;

before(() => {
  store = openSqliteStore(join(dir, 'flowgate.db'));
  const guard = createGuard(store.guard, parseConfig({}, 'test').limits, createLogger('silent'), now);
  accounts = createAccounts({ store, guard, now });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function created(over: { passwordHash?: string } = {}): Promise<User> {
  const done = await accounts.create({ phone: nextPhone(), name: 'Ada', ...over }, { actor: 'cli' });
  assert.equal(done.kind, 'created');
  return (done as { user: User }).user;
}

/** Gives an account a session, a grant and tokens, as oidc-provider's adapter would store them. */
async function signIn(user: User, tag: string): Promise<void> {
  const exp = clock + 3_600_000;
  await store.oidc.upsert('Session', `sess-${tag}`, { uid: `uid-${tag}`, accountId: user.id }, exp);
  await store.oidc.upsert('Grant', `grant-${tag}`, { accountId: user.id }, exp);
  await store.oidc.upsert('AccessToken', `at-${tag}`, { accountId: user.id, grantId: `grant-${tag}` }, exp);
  await store.oidc.upsert('RefreshToken', `rt-${tag}`, { accountId: user.id, grantId: `grant-${tag}` }, exp);
}
const ROWS = [['Session', 'sess'], ['Grant', 'grant'], ['AccessToken', 'at'], ['RefreshToken', 'rt']] as const;
/** How many of the rows `signIn(user, tag)` stored are still there. */
async function live(tag: string): Promise<number> {
  let n = 0;
  for (const [model, prefix] of ROWS) if (await store.oidc.find(model, `${prefix}-${tag}`)) n += 1;
  return n;
}
const auditOf = (user: User) => store.config.audit({ limit: 50, target: `user:${user.id}` });

test('create: audited when an actor asks, never with the password hash; a taken number is an outcome', { timeout: 30_000 }, async () => {
  const user = await created({ passwordHash: HASH });
  assert.equal(user.phoneVerified, true);
  const [entry] = await auditOf(user);
  assert.equal(entry?.action, 'user.create');
  assert.equal(entry?.actor, 'cli');
  assert.deepEqual(entry?.diff, [{ path: '/phone', from: null, to: user.phone }, { path: '/name', from: null, to: 'Ada' }, { path: '/password', from: 'none', to: 'set' }]);
  assert.doesNotMatch(JSON.stringify(await store.config.audit({ limit: 100 })), /argon2/, 'no hash in the audit log');

  const again = await accounts.create({ phone: user.phone }, { actor: 'cli' });
  assert.equal(again.kind, 'taken');
  assert.equal(again.kind === 'taken' && again.existing.id, user.id);

  const quiet = await accounts.create({ phone: nextPhone() });
  assert.equal(quiet.kind, 'created', 'a registration (no actor) creates');
  assert.deepEqual(quiet.kind === 'created' ? await auditOf(quiet.user) : ['x'], [], 'and writes no audit entry');

  await assert.rejects(accounts.create({ phone: '2025550100' }), (e: unknown) => e instanceof AppError && e.status === 400 && e.code === 'invalid_phone');
  await assert.rejects(accounts.create({ phone: nextPhone(), email: 'not-mail' }), (e: unknown) => e instanceof AppError && e.status === 400 && e.code === 'invalid_email');
});

test('disable revokes every session and token, is audited, and hides the account from the provider; enable brings it back', { timeout: 30_000 }, async () => {
  const user = await created();
  await signIn(user, 'd1');
  await signIn(user, 'd2');
  const findAccount = createFindAccount(store);
  assert.ok(await findAccount({} as never, user.id), 'an enabled account is found');

  clock += 1000;
  const done = await accounts.disable(user.id, { actor: 'admin-1' });
  assert.equal(done.kind, 'changed');
  assert.equal(done.kind === 'changed' && done.revoked, 8);
  assert.equal(done.kind === 'changed' && done.user.disabledAt, clock);
  assert.equal(await live('d1') + await live('d2'), 0, 'sessions, grants and tokens are gone');
  assert.equal((await store.users.findById(user.id))?.disabledAt, clock);
  assert.equal(await findAccount({} as never, user.id), undefined, 'a disabled account is no account (refresh, userinfo)');

  assert.equal((await accounts.disable(user.id, { actor: 'admin-1' })).kind, 'unchanged', 'disabling twice changes nothing');
  const [disabledEntry, ...older] = await auditOf(user);
  assert.equal(older.filter((e) => e.action === 'user.disable').length, 0, 'only one disable entry');
  assert.deepEqual({ ...disabledEntry, id: 0 }, {
    id: 0, at: clock, actor: 'admin-1', action: 'user.disable', target: `user:${user.id}`, diff: [{ path: '/disabledAt', from: null, to: clock }],
  });

  const disabledAt = clock;
  clock += 1000;
  const enabled = await accounts.enable(user.id, { actor: 'admin-2' });
  assert.equal(enabled.kind, 'changed');
  assert.equal((await store.users.findById(user.id))?.disabledAt, null);
  assert.ok(await findAccount({} as never, user.id));
  const [enabledEntry] = await auditOf(user);
  assert.equal(enabledEntry?.action, 'user.enable');
  assert.equal(enabledEntry?.actor, 'admin-2');
  assert.deepEqual(enabledEntry?.diff, [{ path: '/disabledAt', from: disabledAt, to: null }]);
  assert.equal((await accounts.enable(user.id, { actor: 'admin-2' })).kind, 'unchanged');
  assert.equal((await accounts.disable('no-such-id', { actor: 'admin-1' })).kind, 'missing');
});

test('a disabled account changes neither password nor phone by itself', { timeout: 30_000 }, async () => {
  const user = await created();
  await accounts.disable(user.id, { actor: 'admin-1' });
  assert.equal((await accounts.resetPassword(user.id, HASH)).kind, 'disabled');
  assert.equal((await accounts.changePhone(user.id, nextPhone())).kind, 'disabled');
  const after = await store.users.findById(user.id);
  assert.equal(after?.passwordHash, null);
  assert.equal(after?.phone, user.phone);
});

test('remove revokes the tokens, then deletes the account; audited without the hash', { timeout: 30_000 }, async () => {
  const user = await created({ passwordHash: HASH });
  await signIn(user, 'r1');
  const done = await accounts.remove(user.id, { actor: 'admin-1' });
  assert.deepEqual(done, { kind: 'removed', revoked: 4 });
  assert.equal(await live('r1'), 0, 'the refresh token and the rest are gone');
  assert.equal(await store.users.findById(user.id), undefined);
  const [entry] = await auditOf(user);
  assert.equal(entry?.action, 'user.remove');
  assert.deepEqual(entry?.diff, [{ path: '', from: { phone: user.phone, name: 'Ada', email: null, roles: [], disabledAt: null, password: 'set' }, to: null }]);
  assert.doesNotMatch(JSON.stringify(entry), /argon2/);
  assert.deepEqual(await accounts.remove(user.id, { actor: 'admin-1' }), { kind: 'missing' });
});

test('grantRole and revokeRole: admin only, audited with the roles before and after', { timeout: 30_000 }, async () => {
  const user = await created();
  const granted = await accounts.grantRole(user.id, 'admin', { actor: 'cli' });
  assert.equal(granted.kind, 'changed');
  assert.deepEqual((await store.users.findById(user.id))?.roles, ['admin']);
  assert.equal((await accounts.grantRole(user.id, 'admin', { actor: 'cli' })).kind, 'unchanged');
  const [grantEntry] = await auditOf(user);
  assert.deepEqual({ action: grantEntry?.action, diff: grantEntry?.diff }, { action: 'user.grant-role', diff: [{ path: '/roles', from: [], to: ['admin'] }] });

  assert.equal((await accounts.revokeRole(user.id, 'admin', { actor: 'cli' })).kind, 'changed');
  assert.deepEqual((await store.users.findById(user.id))?.roles, []);
  const [revokeEntry] = await auditOf(user);
  assert.deepEqual({ action: revokeEntry?.action, diff: revokeEntry?.diff }, { action: 'user.revoke-role', diff: [{ path: '/roles', from: ['admin'], to: [] }] });

  await assert.rejects(accounts.grantRole(user.id, 'root', { actor: 'cli' }), (e: unknown) => e instanceof AppError && e.status === 400 && e.code === 'invalid_role');
  assert.equal((await accounts.grantRole('no-such-id', 'admin', { actor: 'cli' })).kind, 'missing');
});

test('revokeSessions ends everything and is audited; resetPassword revokes too and keeps no hash in the log', { timeout: 30_000 }, async () => {
  const user = await created();
  await signIn(user, 's1');
  const done = await accounts.revokeSessions(user.id, { actor: 'admin-1' });
  assert.equal(done.kind === 'changed' && done.revoked, 4);
  assert.equal(await live('s1'), 0);
  const [entry] = await auditOf(user);
  assert.deepEqual({ action: entry?.action, diff: entry?.diff }, { action: 'user.revoke-sessions', diff: [{ path: '/sessions', from: 4, to: 0 }] });

  await signIn(user, 's2');
  const reset = await accounts.resetPassword(user.id, HASH, { actor: 'admin-1' });
  assert.equal(reset.kind === 'reset' && reset.revoked, 4);
  assert.equal((await store.users.findById(user.id))?.passwordHash, HASH);
  const [resetEntry] = await auditOf(user);
  assert.deepEqual(resetEntry?.diff, [{ path: '/password', from: 'none', to: 'set' }]);
});

test('unlock clears the number and the account, audited by account or by number', { timeout: 30_000 }, async () => {
  const user = await created();
  await store.guard.reserve([`proof:phone:${user.phone}`, `proof:account:${user.id}`], clock, () => true);
  const done = await accounts.unlock({ phone: user.phone }, { actor: 'cli' });
  assert.equal(done.kind === 'unlocked' && done.cleared, 2);
  assert.equal((await store.guard.failures([`proof:phone:${user.phone}`, `proof:account:${user.id}`])).failures, 0);
  const [entry] = await auditOf(user);
  assert.equal(entry?.action, 'user.unlock');

  const stranger = nextPhone();
  assert.equal((await accounts.unlock({ phone: stranger }, { actor: 'cli' })).kind, 'unlocked', 'a number without an account unlocks too');
  assert.equal((await store.config.audit({ limit: 1, target: `phone:${stranger}` })).length, 1);
  assert.equal((await accounts.unlock({ userId: 'no-such-id' }, { actor: 'cli' })).kind, 'missing');
});
