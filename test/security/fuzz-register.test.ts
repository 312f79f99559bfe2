// Property-based fuzzing of registration: its phone step, the profile form (name/email) and its
// set-password form. Every answer: no 5xx, no stack trace or internal path, no unescaped
// reflection (the profile form shows typed values back), a readable page or a JSON problem; the
// seeded users unchanged afterwards. (Reset: fuzz-reset.test.ts.)
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'node:test';
import { csrfOf, formAction } from '../helpers/browser.ts';
import { formCase, fuzzForm, hostileString, stayWhile, Tally } from '../helpers/fuzz.ts';
import { isNewPasswordPage, isPhonePage, isProfilePage, phones, registerResetFixture, SEED, setPasswordCase, target, thens, TIMEOUT } from '../helpers/fuzz-register-reset.ts';

const { registerPhonePage, toProfile } = registerResetFixture();

test('fuzz: the registration phone step', TIMEOUT, async () => {
  const tally = new Tally('register phone step (phone, then)');
  await fuzzForm({
    tally, seed: SEED,
    arb: formCase({ phone: phones, then: thens }),
    prepare: async () => { const { browser, page } = await registerPhonePage(); return target(browser, page); },
    next: stayWhile(tally, isPhonePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the profile form (name, email)', TIMEOUT, async () => {
  const tally = new Tally('register profile (name, email)');
  const names = fc.constantFrom('Ada Example', '<script>alert(1)</script>', 'x'.repeat(101), ' ', 'Bidi\u202Ename', 'Zero\u200Bwidth', 'A\u0000B');
  const emails = fc.constantFrom('ada@example.com', 'not-an-email', '"><img src=x onerror=alert(1)>@example.com', 'a@b', `${'a'.repeat(250)}@example.com`, 'ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ');
  await fuzzForm({
    tally, seed: SEED + 2,
    arb: formCase({ name: names, email: emails }, { validCsrf: 6 }),
    prepare: async () => { const { browser, page, uid } = await toProfile(); return target(browser, page, uid); },
    next: stayWhile(tally, isProfilePage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: the set-password form of registration (password, confirm, skip)', TIMEOUT, async () => {
  const tally = new Tally('register set-password (password, confirm, skip)');
  await fuzzForm({
    tally, seed: SEED + 3,
    arb: setPasswordCase,
    prepare: async () => {
      const { browser, page, uid } = await toProfile();
      const pw = await browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), name: 'Fuzz Person' } });
      assert.ok(isNewPasswordPage(pw), `the set-password page: ${pw.status}`);
      return target(browser, pw, uid);
    },
    next: stayWhile(tally, isNewPasswordPage),
  });
  assert.equal(tally.fiveXx, 0);
});

test('fuzz: arbitrary strings never hide in the registration pages unescaped', TIMEOUT, async () => {
  // One more angle on reflection: every hostile string as the name, with a valid token, is either
  // refused on a page that shows it escaped, or accepted and shown nowhere.
  const tally = new Tally('register profile (name only, valid token)');
  await fuzzForm({
    tally, seed: SEED + 5, runs: 300,
    arb: formCase({ name: hostileString }, { validCsrf: 1_000_000 }),
    prepare: async () => { const { browser, page, uid } = await toProfile(); return target(browser, page, uid); },
    next: stayWhile(tally, isProfilePage),
  });
  assert.equal(tally.fiveXx, 0);
});
