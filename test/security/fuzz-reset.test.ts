// Property-based fuzzing of the reset flow: its phone step and its set-password form. Every
// answer: no 5xx, no stack trace or internal path, no unescaped reflection, a readable page or a
// JSON problem; the seeded users unchanged afterwards. (Registration: fuzz-register.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uidOf } from '../helpers/attack.ts';
import { formCase, fuzzForm, stayWhile, Tally } from '../helpers/fuzz.ts';
import { isNewPasswordPage, isPhonePage, phones, registerResetFixture, SEED, setPasswordCase, target, thens, TIMEOUT } from '../helpers/fuzz-register-reset.ts';
import { submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';

const fixture = registerResetFixture();
const { freshNumber, resetPhonePage } = fixture;

test('fuzz: the reset phone step', TIMEOUT, async () => {
  const tally = new Tally('reset phone step (phone)');
  await fuzzForm({
    tally, seed: SEED + 1,
    arb: formCase({ phone: phones, then: thens }),
    prepare: async () => { const { browser, page } = await resetPhonePage(); return target(browser, page); },
    next: stayWhile(tally, isPhonePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the set-password form of reset (password, confirm)', TIMEOUT, async () => {
  const tally = new Tally('reset set-password (password, confirm)');
  // Resets of numbers with no account and of accounts made for this test (never the seeded users).
  const own = await Promise.all(['+12025559001', '+12025559002', '+12025559003'].map((phone) => fixture.server().store.users.create({ phone, phoneVerified: true, name: 'Reset Me' })));
  let i = 0;
  await fuzzForm({
    tally, seed: SEED + 4,
    arb: setPasswordCase,
    prepare: async () => {
      const phone = i % 2 ? own[(i >> 1) % own.length]!.phone : freshNumber();
      i += 1;
      const { browser, page: phonePage } = await resetPhonePage();
      const codePage = await submitPhone(browser, phonePage, phone);
      const pw = await submitCode(browser, codePage, await lastCode(fixture.server(), phone));
      assert.ok(isNewPasswordPage(pw), `the new-password page: ${pw.status} ${pw.html.slice(0, 300)}`);
      return target(browser, pw, uidOf(phonePage));
    },
    next: stayWhile(tally, isNewPasswordPage),
  });
  assert.equal(tally.fiveXx, 0);
});
