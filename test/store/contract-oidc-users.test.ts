// The store contract, OIDC artefacts and accounts: what oidc-provider's adapter and the account
// library rely on, the same on every store.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UserPatch } from '../../src/store/types.ts';
import { race } from '../helpers/store-race.ts';
import { contract } from '../helpers/stores.ts';

const HOUR = 3600_000;

contract('oidc: upsert, find, consume and destroy; an upsert replaces the payload', async ({ store }) => {
  const later = Date.now() + HOUR;
  assert.equal(await store.oidc.find('AuthorizationCode', 'c1'), undefined);
  await store.oidc.upsert('AuthorizationCode', 'c1', { kind: 'AuthorizationCode', grantId: 'g1', n: 1, nested: { a: [1, 'x'] } }, later);
  assert.deepEqual(await store.oidc.find('AuthorizationCode', 'c1'),
    { payload: { kind: 'AuthorizationCode', grantId: 'g1', n: 1, nested: { a: [1, 'x'] } }, consumed: false });
  assert.equal(await store.oidc.find('AccessToken', 'c1'), undefined, 'ids are per model');
  await store.oidc.consume('AuthorizationCode', 'c1', Date.now());
  assert.equal((await store.oidc.find('AuthorizationCode', 'c1'))?.consumed, true);
  await store.oidc.upsert('AuthorizationCode', 'c1', { kind: 'AuthorizationCode', n: 2 }, later);
  assert.deepEqual((await store.oidc.find('AuthorizationCode', 'c1'))?.payload, { kind: 'AuthorizationCode', n: 2 });
  await store.oidc.destroy('AuthorizationCode', 'c1');
  assert.equal(await store.oidc.find('AuthorizationCode', 'c1'), undefined);
});

contract('oidc: consume and destroy of an unknown artefact are no-ops; payloads keep unicode, nulls and nesting', async ({ store }) => {
  await store.oidc.consume('AccessToken', 'nope', Date.now());
  await store.oidc.destroy('AccessToken', 'nope');
  await store.oidc.revokeByGrantId('AccessToken', 'nope');
  const payload = { claims: { name: 'Zoë "Z" \\ Ørsted \u0000 \u2028', empty: '', none: null, list: [1, 2.5, true, { deep: ['x'] }] }, exp: 1_700_000_000 };
  await store.oidc.upsert('Session', 's', payload, Date.now() + HOUR);
  assert.deepEqual((await store.oidc.find('Session', 's'))?.payload, payload);
});

contract('oidc: an expired artefact is not found by any lookup; one without expiry lives on', async ({ store }) => {
  const past = Date.now() - 1;
  await store.oidc.upsert('Interaction', 'i-old', { uid: 'u-old' }, past);
  await store.oidc.upsert('DeviceCode', 'd-old', { userCode: 'OLD-CODE' }, past);
  await store.oidc.upsert('Client', 'forever', { client_id: 'forever' }, null);
  assert.equal(await store.oidc.find('Interaction', 'i-old'), undefined);
  assert.equal(await store.oidc.findByUid('Interaction', 'u-old'), undefined);
  assert.equal(await store.oidc.findByUserCode('DeviceCode', 'OLD-CODE'), undefined);
  assert.deepEqual(await store.oidc.find('Client', 'forever'), { payload: { client_id: 'forever' }, consumed: false });
});

contract('oidc: findByUid and findByUserCode look up by the payload fields, within the model', async ({ store }) => {
  const later = Date.now() + HOUR;
  await store.oidc.upsert('Session', 's1', { uid: 'uid-1', accountId: 'a1' }, later);
  await store.oidc.upsert('DeviceCode', 'd1', { userCode: 'ABCD-EFGH' }, later);
  assert.deepEqual((await store.oidc.findByUid('Session', 'uid-1'))?.payload, { uid: 'uid-1', accountId: 'a1' });
  assert.equal(await store.oidc.findByUid('Interaction', 'uid-1'), undefined);
  assert.deepEqual((await store.oidc.findByUserCode('DeviceCode', 'ABCD-EFGH'))?.payload, { userCode: 'ABCD-EFGH' });
  assert.equal(await store.oidc.findByUserCode('DeviceCode', 'ABCD-XXXX'), undefined);
  await store.oidc.upsert('Session', 's1', { uid: 'uid-2', accountId: 'a1' }, later);
  assert.equal(await store.oidc.findByUid('Session', 'uid-1'), undefined, 'the indexed field follows the upsert');
  assert.ok(await store.oidc.findByUid('Session', 'uid-2'));
});

contract('oidc: revokeByGrantId deletes that model\'s rows under the grant, nothing else', async ({ store }) => {
  const later = Date.now() + HOUR;
  await store.oidc.upsert('AccessToken', 'at1', { grantId: 'g1' }, later);
  await store.oidc.upsert('AccessToken', 'at2', { grantId: 'g1' }, later);
  await store.oidc.upsert('AccessToken', 'at3', { grantId: 'g2' }, later);
  await store.oidc.upsert('RefreshToken', 'rt1', { grantId: 'g1' }, later);
  await store.oidc.revokeByGrantId('AccessToken', 'g1');
  assert.equal(await store.oidc.find('AccessToken', 'at1'), undefined);
  assert.equal(await store.oidc.find('AccessToken', 'at2'), undefined);
  assert.ok(await store.oidc.find('AccessToken', 'at3'), 'another grant is kept');
  assert.ok(await store.oidc.find('RefreshToken', 'rt1'), 'another model is kept');
});

async function seedAccount(store: import('../../src/store/types.ts').Store, accountId: string, suffix: string) {
  const later = Date.now() + HOUR;
  await store.oidc.upsert('Session', `s-keep${suffix}`, { uid: `uid-keep${suffix}`, accountId }, later);
  await store.oidc.upsert('Session', `s-other${suffix}`, { uid: `uid-other${suffix}`, accountId }, later);
  await store.oidc.upsert('Grant', `g-keep${suffix}`, { accountId }, later);
  await store.oidc.upsert('Grant', `g-other${suffix}`, { accountId }, later);
  await store.oidc.upsert('AccessToken', `at-keep${suffix}`, { accountId, grantId: `g-keep${suffix}` }, later);
  await store.oidc.upsert('RefreshToken', `rt-other${suffix}`, { accountId, grantId: `g-other${suffix}` }, later);
  await store.oidc.upsert('Interaction', `i${suffix}`, { uid: `i${suffix}`, accountId }, later);
}

contract('oidc: revokeByAccountId ends every session, grant and token of the account (not its interactions, not other accounts)', async ({ store }) => {
  await seedAccount(store, 'acc-1', '');
  await seedAccount(store, 'acc-2', '-2');
  assert.equal(await store.oidc.revokeByAccountId('acc-1'), 6);
  for (const [model, id] of [['Session', 's-keep'], ['Session', 's-other'], ['Grant', 'g-keep'], ['AccessToken', 'at-keep'], ['RefreshToken', 'rt-other']] as const) {
    assert.equal(await store.oidc.find(model, id), undefined, `${model} ${id} is gone`);
  }
  assert.ok(await store.oidc.find('Interaction', 'i'), 'the interaction in progress is kept');
  assert.ok(await store.oidc.find('Session', 's-keep-2'), 'another account is untouched');
  assert.equal(await store.oidc.revokeByAccountId('acc-1'), 0);
});

contract('oidc: revokeByAccountIdExcept keeps one session and its grants and their tokens', async ({ store }) => {
  await seedAccount(store, 'acc-1', '');
  await seedAccount(store, 'acc-2', '-2');
  assert.equal(await store.oidc.revokeByAccountIdExcept('acc-1', { sessionUid: 'uid-keep', grantIds: ['g-keep'] }), 3);
  assert.ok(await store.oidc.find('Session', 's-keep'));
  assert.ok(await store.oidc.find('Grant', 'g-keep'));
  assert.ok(await store.oidc.find('AccessToken', 'at-keep'));
  assert.ok(await store.oidc.find('Interaction', 'i'));
  assert.equal(await store.oidc.find('Session', 's-other'), undefined);
  assert.equal(await store.oidc.find('Grant', 'g-other'), undefined);
  assert.equal(await store.oidc.find('RefreshToken', 'rt-other'), undefined);
  assert.ok(await store.oidc.find('Session', 's-other-2'), 'another account is untouched');
  assert.equal(await store.oidc.revokeByAccountIdExcept('acc-1', { sessionUid: 'uid-keep', grantIds: [] }), 2,
    'with no grants kept, the kept session stays and the grant and its token go');
  assert.ok(await store.oidc.find('Session', 's-keep'));
});

contract('users: create, find by id and phone, and a second account on one number is refused', async ({ store }) => {
  const before = Date.now();
  const user = await store.users.create({ phone: '+12025550100', phoneVerified: true, name: 'Ada', email: 'ada@example.com', passwordHash: '$argon2id$x', attributes: { tier: 'gold' } });
  assert.ok(user.id);
  assert.ok(user.createdAt >= before);
  assert.deepEqual({ ...user, id: undefined, createdAt: undefined }, {
    id: undefined, createdAt: undefined, phone: '+12025550100', phoneVerified: true, name: 'Ada', email: 'ada@example.com',
    passwordHash: '$argon2id$x', attributes: { tier: 'gold' }, roles: [], disabledAt: null,
  });
  assert.deepEqual(await store.users.findById(user.id), user);
  assert.deepEqual(await store.users.findByPhone('+12025550100'), user);
  const bare = await store.users.create({ phone: '+12025550101' });
  assert.deepEqual(await store.users.findById(bare.id), { ...bare, phoneVerified: false, name: null, email: null, passwordHash: null, attributes: {}, roles: [], disabledAt: null });
  await assert.rejects(store.users.create({ phone: '+12025550100' }));
  assert.equal(await store.users.findById('nobody'), undefined);
  assert.equal(await store.users.findByPhone('+19999999999'), undefined);
});

contract('users: update sets roles, disabled, profile and attributes; a missing account is undefined', async ({ store, place }) => {
  const user = await store.users.create({ phone: '+12025550100', name: 'Ada' });
  const at = Date.now();
  const updated = await store.users.update(user.id, { roles: ['admin'], disabledAt: at, email: 'a@example.com', attributes: { k: 'v' } });
  assert.deepEqual(updated, { ...user, roles: ['admin'], disabledAt: at, email: 'a@example.com', attributes: { k: 'v' } });
  const other = await place.open();
  assert.deepEqual(await other.users.findById(user.id), updated, 'another instance reads the change');
  assert.deepEqual(await store.users.update(user.id, { disabledAt: null, roles: [], name: null }), { ...updated, disabledAt: null, roles: [], name: null });
  assert.equal(await store.users.update('nobody', { roles: ['admin'] }), undefined);
});

contract('users: updatePhone says updated, taken or missing, and marks the number verified', async ({ store }) => {
  const a = await store.users.create({ phone: '+12025550100' });
  const b = await store.users.create({ phone: '+12025550101' });
  assert.equal(await store.users.updatePhone(a.id, '+12025550102'), 'updated');
  assert.deepEqual(await store.users.findById(a.id), { ...a, phone: '+12025550102', phoneVerified: true });
  assert.equal(await store.users.findByPhone('+12025550100'), undefined);
  assert.equal(await store.users.updatePhone(a.id, b.phone), 'taken');
  assert.equal((await store.users.findById(a.id))?.phone, '+12025550102', 'a refused change changes nothing');
  assert.equal(await store.users.updatePhone('nobody', '+12025550109'), 'missing');
});

contract('users: search by digits of the phone or by name, newest first, limited; remove', async ({ store }) => {
  const ada = await store.users.create({ phone: '+12025550100', name: 'Ada Lovelace' });
  await sleep(3);
  const bob = await store.users.create({ phone: '+442071234567', name: 'Bob' });
  await sleep(3);
  const eve = await store.users.create({ phone: '+12025550199', name: 'Eve ADAMS' });
  const ids = (users: Array<{ id: string }>) => users.map((u) => u.id);
  assert.deepEqual(ids(await store.users.search('', 10)), [eve.id, bob.id, ada.id], 'everyone, newest first');
  assert.deepEqual(ids(await store.users.search('', 2)), [eve.id, bob.id]);
  assert.deepEqual(ids(await store.users.search('555 01', 10)), [eve.id, ada.id], 'digits match inside the number, spacing ignored');
  assert.deepEqual(ids(await store.users.search('(207) 123', 10)), [bob.id]);
  assert.deepEqual(ids(await store.users.search('ada', 10)), [eve.id, ada.id], 'names match case-insensitively');
  assert.deepEqual(ids(await store.users.search('nobody', 10)), []);
  assert.deepEqual(ids(await store.users.search('%', 10)), [], 'no wildcard');
  assert.deepEqual(ids(await store.users.search('_', 10)), [], 'no single-character wildcard');
  assert.equal(await store.users.remove(bob.id), true);
  assert.equal(await store.users.findById(bob.id), undefined);
  assert.equal(await store.users.remove(bob.id), false);
  assert.deepEqual(ids(await store.users.search('', 10)), [eve.id, ada.id]);
});

contract('users: search finds names with wildcard characters and non-ASCII letters literally', async ({ store }) => {
  const pct = await store.users.create({ phone: '+12025550100', name: '100% Sure_Thing' });
  const zoe = await store.users.create({ phone: '+12025550101', name: 'Zoë Ørsted-Łukasz', attributes: { city: 'Zürich', note: '"quoted" \\ back' } });
  const ids = (users: Array<{ id: string }>) => users.map((u) => u.id);
  assert.deepEqual(ids(await store.users.search('0% s', 10)), [pct.id]);
  assert.deepEqual(ids(await store.users.search('e_t', 10)), [pct.id]);
  assert.deepEqual(ids(await store.users.search('zoë', 10)), [zoe.id]);
  assert.deepEqual(await store.users.findById(zoe.id), zoe, 'unicode and quotes round-trip');
});

contract('users: parallel creations of one number from separate instances: exactly one account', async ({ place, store }) => {
  const results = await race(place.url, 'createUser', Array.from({ length: 12 }, () => ['+12025550100'] as [string]));
  const made = results.filter((id) => id !== null);
  assert.equal(made.length, 1);
  assert.equal((await store.users.findByPhone('+12025550100'))?.id, made[0]);
});

contract('users: parallel updates of different fields from separate instances all land', async ({ place, store }) => {
  const user = await store.users.create({ phone: '+12025550100', name: 'Ada' });
  const at = Date.now();
  const patches: UserPatch[] = [{ roles: ['admin'] }, { disabledAt: at }, { name: 'Ada L.' }, { email: 'ada@example.com' }, { attributes: { tier: 'gold' } }, { passwordHash: '$argon2id$y' }];
  await race(place.url, 'updateUser', patches.map((p) => [user.id, p] as [string, UserPatch]), patches.length);
  assert.deepEqual(await store.users.findById(user.id),
    { ...user, roles: ['admin'], disabledAt: at, name: 'Ada L.', email: 'ada@example.com', attributes: { tier: 'gold' }, passwordHash: '$argon2id$y' });
});
