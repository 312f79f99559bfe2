// Password hashing (argon2id round trip, unknown users, rehash, malformed hashes) and new-password policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPasswordHasher, OWASP_ARGON2ID_DEFAULTS } from '../../src/authenticators/password/hasher.ts';
import { checkNewPassword } from '../../src/authenticators/password/policy.ts';

const hasher = createPasswordHasher();

test('hash uses argon2id with the OWASP defaults', async () => {
  assert.deepEqual(hasher.params, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  assert.deepEqual(OWASP_ARGON2ID_DEFAULTS, hasher.params);
  const hash = await hasher.hash('correct horse battery staple');
  assert.ok(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'), hash);
});

test('hash/verify round trip; a wrong password fails', async () => {
  const hash = await hasher.hash('correct horse battery staple');
  assert.deepEqual(await hasher.verify(hash, 'correct horse battery staple'), { ok: true, needsRehash: false });
  assert.deepEqual(await hasher.verify(hash, 'correct horse battery stapler'), { ok: false, needsRehash: false });
  assert.deepEqual(await hasher.verify(hash, ''), { ok: false, needsRehash: false });
});

test('a null stored hash (unknown user) does the dummy work and fails', async () => {
  assert.deepEqual(await hasher.verify(null, 'correct horse battery staple'), { ok: false, needsRehash: false });
  assert.deepEqual(await hasher.verify(null, ''), { ok: false, needsRehash: false });
});

test('needsRehash is set when the parameters changed, only on success', async () => {
  const old = await createPasswordHasher({ timeCost: 2 }).hash('correct horse battery staple');
  const stronger = createPasswordHasher({ timeCost: 3 });
  assert.deepEqual(await stronger.verify(old, 'correct horse battery staple'), { ok: true, needsRehash: true });
  assert.deepEqual(await stronger.verify(old, 'wrong'), { ok: false, needsRehash: false });
  const fresh = await stronger.hash('correct horse battery staple');
  assert.deepEqual(await stronger.verify(fresh, 'correct horse battery staple'), { ok: true, needsRehash: false });
});

test('a malformed stored hash fails without throwing', async () => {
  const good = await hasher.hash('correct horse battery staple');
  for (const bad of ['', 'not a hash', '$argon2id$', '$argon2id$v=19$m=19456,t=2,p=1$', good.slice(0, -5), '$2b$10$abcdefghijklmnopqrstuv', '$scrypt$x$y']) {
    assert.deepEqual(await hasher.verify(bad, 'correct horse battery staple'), { ok: false, needsRehash: false }, bad);
  }
});

test('policy: length bounds in code points after NFKC', () => {
  assert.equal(checkNewPassword('short'), 'too_short');
  assert.equal(checkNewPassword('😀😀😀😀😀😀😀'), 'too_short'); // 7 code points, 14 UTF-16 units
  assert.equal(checkNewPassword('x'.repeat(200)), 'too_long');
  assert.equal(checkNewPassword('x'.repeat(129)), 'too_long');
});

test('policy: common passwords are refused, case-insensitively', () => {
  for (const pw of ['password123', 'Password123', 'PASSWORD1', 'Qwerty123', 'iloveyou', '1qaz2wsx', 'TrustNo1']) {
    assert.equal(checkNewPassword(pw), 'common', pw);
  }
});

test('policy: a random passphrase passes', () => {
  assert.equal(checkNewPassword('violet-ember-quartz9'), null);
  assert.equal(checkNewPassword('violet-ember-quartz9', { phone: '+12025550100', name: 'Alice' }), null);
});

test('policy: phone digits and the name are refused', () => {
  const phone = '+12025550100';
  assert.equal(checkNewPassword('mypass5550100!', { phone }), 'contains_identifier');
  assert.equal(checkNewPassword('call me at 555-0100', { phone }), 'contains_identifier');
  assert.equal(checkNewPassword('12025550100', { phone }), 'contains_identifier');
  assert.equal(checkNewPassword('mypass555010!', { phone }), null); // only 6 of the digits
  assert.equal(checkNewPassword('Alexandra Smith', { name: 'alexandra smith' }), 'contains_identifier');
  assert.equal(checkNewPassword('Alexandra Smith rocks', { name: 'Alexandra Smith' }), null);
});
