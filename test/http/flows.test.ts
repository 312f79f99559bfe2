// The flow model over HTTP: the shipped 2FA flow, CONDITIONAL sub-flows driven by both condition
// authenticators, DISABLED steps, and a third-party authenticator loaded from config.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl } from '../helpers/login.ts';
import { lastCode, outboxLinesOf } from '../helpers/outbox.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createPasswordHasher } from '../../src/authenticators/password/hasher.ts';

const ADMIN = '+12025550111';
const MEMBER = '+12025550112';
const NO_PASSWORD = '+12025550113';
const PASSWORD = 'amber-cobalt-thistle';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-flows-'));
writeFileSync(join(dir, 'sign-in.yaml'), `
id: sign-in
steps:
  - { id: identify, authenticator: identify-phone, requirement: REQUIRED }
  - id: password-if-set
    requirement: CONDITIONAL
    steps:
      - { id: has-password, authenticator: condition-user-configured, requirement: REQUIRED }
      - { id: password, authenticator: password, requirement: REQUIRED }
  - id: admins-need-sms
    requirement: CONDITIONAL
    steps:
      - id: is-admin
        authenticator: condition-user-attribute
        requirement: REQUIRED
        config: { attribute: role, value: admin }
      - { id: sms, authenticator: sms-otp, requirement: REQUIRED }
  - { id: never, authenticator: sms-otp, requirement: DISABLED }
  - { id: plugin, authenticator: always-yes, requirement: REQUIRED, config: { label: hi } }
`);

let server: TestServer;
let twoFactor: TestServer;
before(async () => {
  server = await startServer({
    config: { flowsDir: dir, authenticators: [resolve('test/fixtures/authenticators/always-yes.ts')] },
  });
  twoFactor = await startServer({ config: { signInFlow: 'sign-in-2fa' } });
  const hash = await createPasswordHasher().hash(PASSWORD);
  for (const s of [server, twoFactor]) {
    await s.store.users.create({ phone: ADMIN, phoneVerified: true, passwordHash: hash, attributes: { role: 'admin' } });
    await s.store.users.create({ phone: MEMBER, phoneVerified: true, passwordHash: hash, attributes: { role: 'member' } });
    await s.store.users.create({ phone: NO_PASSWORD, phoneVerified: true });
  }
});
after(async () => {
  await server.close();
  await twoFactor.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (browser: Browser, page: Page, form: Record<string, string>) =>
  browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), ...form } });

async function begin(s: TestServer, phone: string) {
  const browser = new Browser(s.url);
  const page = await browser.go(authUrl(s));
  return { browser, page: await post(browser, page, { phone, then: 'sms' }) };
}

const isDone = (p: Page) => Boolean(p.location?.startsWith('https://app.example.com/callback?code='));

test('condition-user-configured: a user with a password is asked for it, a user without is not', async () => {
  const withPw = await begin(server, MEMBER);
  assert.match(withPw.page.html, /autocomplete="current-password"/);
  assert.ok(isDone(await post(withPw.browser, withPw.page, { password: PASSWORD })), 'member: password, no SMS (not admin), plugin step passes');

  const without = await begin(server, NO_PASSWORD);
  assert.ok(isDone(without.page), 'no password configured and not an admin: only the plugin step, which proves something');
});

test('condition-user-attribute: only admins get the SMS step', async () => {
  const sent = (await outboxLinesOf(server)).length;
  const admin = await begin(server, ADMIN);
  const codePage = await post(admin.browser, admin.page, { password: PASSWORD });
  assert.match(codePage.html, /autocomplete="one-time-code"/);
  assert.equal((await outboxLinesOf(server)).length, sent + 1);
  assert.ok(isDone(await post(admin.browser, codePage, { code: await lastCode(server, ADMIN) })));
});

test('an unknown number walks the same path as a user without extra steps (no condition holds)', async () => {
  const unknown = await begin(server, '+12025550114');
  assert.equal(unknown.page.status, 200);
  assert.match(unknown.page.html, /No account yet|autocomplete="name"/);
});

test('a flow whose conditions skip every proof signs no one in', async () => {
  const bare = mkdtempSync(join(tmpdir(), 'flowgate-bare-'));
  writeFileSync(join(bare, 'sign-in.yaml'), `
id: sign-in
steps:
  - { id: identify, authenticator: identify-phone, requirement: REQUIRED }
  - id: maybe
    requirement: CONDITIONAL
    steps:
      - { id: is-admin, authenticator: condition-user-attribute, requirement: REQUIRED, config: { attribute: role, value: admin } }
      - { id: sms, authenticator: sms-otp, requirement: REQUIRED }
`);
  const s = await startServer({ config: { flowsDir: bare } });
  try {
    await s.store.users.create({ phone: NO_PASSWORD, phoneVerified: true });
    const { page } = await begin(s, NO_PASSWORD);
    assert.ok(!isDone(page));
    assert.match(page.html, /did not check anything/);
    const unknown = await begin(s, '+12025550115');
    assert.equal(unknown.page.html.replace(/\+12025550115/g, 'X'), page.html.replace(/\+12025550113/g, 'X'), 'unknown numbers get the same page');
  } finally {
    await s.close();
    rmSync(bare, { recursive: true, force: true });
  }
});

test('sign-in-2fa: password, then an SMS code for users with a phone', async () => {
  const { browser, page } = await begin(twoFactor, MEMBER);
  assert.match(page.html, /autocomplete="current-password"/);
  const wrong = await post(browser, page, { password: 'not-the-password' });
  assert.equal(wrong.status, 400);
  const codePage = await post(browser, wrong, { password: PASSWORD });
  assert.match(codePage.html, /autocomplete="one-time-code"/);
  const done = await post(browser, codePage, { code: await lastCode(twoFactor, MEMBER) });
  assert.ok(isDone(done));
});
