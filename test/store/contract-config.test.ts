// The store contract, configuration documents and the audit log: rev-checked saves, activations
// and removals, the generation, audit paging — and one winner among parallel stale-free saves.
import assert from 'node:assert/strict';
import type { AuditInput, DocKind } from '../../src/store/types.ts';
import { race } from '../helpers/store-race.ts';
import { contract } from '../helpers/stores.ts';

const T = 1_000_000_000_000;
const audit = (action: string, target = 'flow:sign-in'): AuditInput => ({ actor: 'admin-1', action, target, diff: [{ path: '/x', from: 1, to: 2 }] });
const body = (n: number) => ({ id: 'sign-in', steps: [{ use: 'sms-otp', n }] });

contract('config: a first save creates version 1, active; a second create is refused as existing', async ({ store }) => {
  const g0 = await store.config.generation();
  const first = await store.config.save('flow', 'sign-in', { body: body(1), source: 'file', actor: 'file', builtIn: true }, null, null, T);
  assert.deepEqual(first, { ok: true, head: { kind: 'flow', id: 'sign-in', activeVersion: 1, latestVersion: 1, latestFileVersion: 1, rev: 1, builtIn: true, updatedAt: T } });
  assert.deepEqual(await store.config.head('flow', 'sign-in'), first.ok && first.head);
  assert.deepEqual(await store.config.active('flow', 'sign-in'), { kind: 'flow', id: 'sign-in', version: 1, body: body(1), source: 'file', actor: 'file', createdAt: T });
  assert.ok(await store.config.generation() > g0, 'the generation moved');
  const again = await store.config.save('flow', 'sign-in', { body: body(2), source: 'admin', actor: 'a' }, null, null, T + 1);
  assert.deepEqual(again, { ok: false, conflict: 'exists', head: first.ok && first.head });
  assert.equal(await store.config.head('flow', 'other'), undefined);
  assert.equal(await store.config.active('flow', 'other'), undefined);
});

contract('config: saves are rev-checked: stale and missing revs change nothing, not even the generation', async ({ store }) => {
  await store.config.save('flow', 'f', { body: body(1), source: 'file', actor: 'file' }, null, null, T);
  const g1 = await store.config.generation();
  const second = await store.config.save('flow', 'f', { body: body(2), source: 'admin', actor: 'admin-1' }, 1, audit('flow.save', 'flow:f'), T + 1);
  assert.ok(second.ok);
  assert.deepEqual(second.head, { kind: 'flow', id: 'f', activeVersion: 2, latestVersion: 2, latestFileVersion: 1, rev: 2, builtIn: false, updatedAt: T + 1 });
  const g2 = await store.config.generation();
  assert.ok(g2 > g1);
  const stale = await store.config.save('flow', 'f', { body: body(3), source: 'admin', actor: 'admin-2' }, 1, audit('flow.save', 'flow:f'), T + 2);
  assert.deepEqual(stale, { ok: false, conflict: 'stale', head: second.head });
  const missing = await store.config.save('flow', 'nope', { body: body(3), source: 'admin', actor: 'admin-2' }, 4, audit('flow.save', 'flow:nope'), T + 2);
  assert.deepEqual(missing, { ok: false, conflict: 'missing' });
  assert.equal(await store.config.generation(), g2);
  assert.deepEqual((await store.config.versions('flow', 'f')).map((v) => [v.version, v.actor, v.source]), [[2, 'admin-1', 'admin'], [1, 'file', 'file']], 'newest first');
  assert.deepEqual((await store.config.audit({ limit: 10 })).map((a) => a.action), ['flow.save'], 'refused writes are not audited');
});

contract('config: activate:false stores a version without making it active; activate rolls back under the rev check', async ({ store }) => {
  await store.config.save('sms-templates', 't', { body: { v: 1 }, source: 'file', actor: 'file' }, null, null, T);
  const staged = await store.config.save('sms-templates', 't', { body: { v: 2 }, source: 'file', actor: 'file', activate: false }, 1, null, T + 1);
  assert.ok(staged.ok);
  assert.deepEqual([staged.head.activeVersion, staged.head.latestVersion, staged.head.latestFileVersion, staged.head.rev], [1, 2, 2, 2]);
  assert.deepEqual((await store.config.active('sms-templates', 't'))?.body, { v: 1 });
  assert.deepEqual((await store.config.version('sms-templates', 't', 2))?.body, { v: 2 });
  assert.equal(await store.config.version('sms-templates', 't', 3), undefined);
  const g = await store.config.generation();
  const on = await store.config.activate('sms-templates', 't', 2, 2, audit('template.activate', 'sms-templates:t'), T + 2);
  assert.ok(on.ok);
  assert.deepEqual([on.head.activeVersion, on.head.latestVersion, on.head.rev, on.head.updatedAt], [2, 2, 3, T + 2]);
  assert.ok(await store.config.generation() > g);
  assert.deepEqual(await store.config.activate('sms-templates', 't', 1, 2, audit('x'), T + 3), { ok: false, conflict: 'stale', head: on.head });
  assert.deepEqual(await store.config.activate('sms-templates', 't', 9, 3, audit('x'), T + 3), { ok: false, conflict: 'missing', head: on.head }, 'no such version');
  assert.deepEqual(await store.config.activate('sms-templates', 'nope', 1, 1, audit('x'), T + 3), { ok: false, conflict: 'missing' });
  const back = await store.config.activate('sms-templates', 't', 1, 3, audit('template.activate', 'sms-templates:t'), T + 4);
  assert.ok(back.ok && back.head.activeVersion === 1 && back.head.rev === 4);
  assert.deepEqual((await store.config.active('sms-templates', 't'))?.body, { v: 1 });
});

contract('config: remove deletes the document and its versions under the rev check; heads lists a kind by id', async ({ store }) => {
  for (const id of ['b', 'a', 'c']) await store.config.save('bindings', id, { body: { id }, source: 'admin', actor: 'x' }, null, null, T);
  await store.config.save('flow', 'a', { body: { id: 'a' }, source: 'admin', actor: 'x' }, null, null, T);
  assert.deepEqual((await store.config.heads('bindings')).map((h) => h.id), ['a', 'b', 'c']);
  const head = await store.config.head('bindings', 'b');
  assert.deepEqual(await store.config.remove('bindings', 'b', 5, audit('bindings.remove', 'bindings:b'), T + 1), { ok: false, conflict: 'stale', head });
  const g = await store.config.generation();
  assert.deepEqual(await store.config.remove('bindings', 'b', 1, audit('bindings.remove', 'bindings:b'), T + 1), { ok: true, head });
  assert.ok(await store.config.generation() > g);
  assert.equal(await store.config.head('bindings', 'b'), undefined);
  assert.deepEqual(await store.config.versions('bindings', 'b'), []);
  assert.deepEqual((await store.config.heads('bindings')).map((h) => h.id), ['a', 'c']);
  assert.deepEqual(await store.config.remove('bindings', 'b', 1, audit('x'), T + 2), { ok: false, conflict: 'missing' });
  const recreated = await store.config.save('bindings', 'b', { body: { id: 'b2' }, source: 'admin', actor: 'x' }, null, null, T + 3);
  assert.ok(recreated.ok && recreated.head.activeVersion === 1, 'a removed document can be created afresh');
});

contract('config: the audit log pages newest first by id, filters by target, and takes entries from outside the documents', async ({ store, place }) => {
  await store.config.save('flow', 'f', { body: body(1), source: 'admin', actor: 'admin-1' }, null, audit('flow.create', 'flow:f'), T);
  await store.config.save('flow', 'f', { body: body(2), source: 'admin', actor: 'admin-1' }, 1, audit('flow.save', 'flow:f'), T + 1);
  await store.config.appendAudit({ actor: 'cli', action: 'user.disable', target: 'user:u1', diff: [{ path: '/disabled', from: false, to: true }] }, T + 2);
  await store.config.appendAudit({ actor: 'cli', action: 'sms.test', target: 'sms-connectors:twilio', diff: null }, T + 3);
  const all = await store.config.audit({ limit: 10 });
  assert.deepEqual(all.map((a) => [a.action, a.at, a.actor, a.target]), [
    ['sms.test', T + 3, 'cli', 'sms-connectors:twilio'], ['user.disable', T + 2, 'cli', 'user:u1'],
    ['flow.save', T + 1, 'admin-1', 'flow:f'], ['flow.create', T, 'admin-1', 'flow:f'],
  ]);
  assert.deepEqual(all[1]!.diff, [{ path: '/disabled', from: false, to: true }]);
  assert.equal(all[0]!.diff, null);
  assert.ok(all.every((a, i) => i === 0 || a.id < all[i - 1]!.id), 'ids descend');
  const page1 = await store.config.audit({ limit: 2 });
  const page2 = await store.config.audit({ limit: 2, before: page1[1]!.id });
  assert.deepEqual([...page1, ...page2].map((a) => a.id), all.map((a) => a.id));
  assert.deepEqual(await store.config.audit({ limit: 2, before: all[3]!.id }), []);
  assert.deepEqual((await store.config.audit({ limit: 10, target: 'flow:f' })).map((a) => a.action), ['flow.save', 'flow.create']);
  assert.deepEqual((await (await place.open()).config.audit({ limit: 1 })).map((a) => a.action), ['sms.test'], 'another instance reads it');
});

contract('config: every change moves the generation, as another instance sees it', async ({ store, place }) => {
  const other = await place.open();
  const seen = [await other.config.generation()];
  const kinds: DocKind[] = ['flow', 'bindings', 'sms-connectors', 'sms-templates'];
  for (const kind of kinds) {
    await store.config.save(kind, 'x', { body: {}, source: 'admin', actor: 'a' }, null, null, T);
    seen.push(await other.config.generation());
  }
  await store.config.activate('flow', 'x', 1, 1, audit('x'), T);
  seen.push(await other.config.generation());
  await store.config.remove('flow', 'x', 2, audit('x'), T);
  seen.push(await other.config.generation());
  assert.ok(seen.every((g, i) => i === 0 || g > seen[i - 1]!), `strictly increasing: ${seen.join(', ')}`);
  await store.config.appendAudit(audit('user.x', 'user:1'), T);
  assert.equal(await other.config.generation(), seen.at(-1), 'an audit entry alone is no document change');
});

contract('config: 12 parallel saves naming the same rev from 4 instances: exactly one wins', async ({ store, place }) => {
  await store.config.save('flow', 'f', { body: body(0), source: 'admin', actor: 'a' }, null, null, T);
  const results = await race(place.url, 'saveDoc', Array.from({ length: 12 }, (_, i) => ['flow', 'f', body(i + 1), 1, T + i] as [DocKind, string, unknown, number, number]));
  assert.equal(results.filter(Boolean).length, 1);
  const head = await store.config.head('flow', 'f');
  assert.deepEqual([head?.rev, head?.latestVersion], [2, 2]);
  const creates = await race(place.url, 'saveDoc', Array.from({ length: 12 }, (_, i) => ['flow', 'new', body(i), null, T] as [DocKind, string, unknown, null, number]));
  assert.equal(creates.filter(Boolean).length, 1, 'one creation among parallel ones');
});
