// What the registration and reset fuzz files share: a server with a seeded account (one with a
// password), the flows' phone pages, a fresh number per registration, and the form arbitraries.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from './browser.ts';
import { switchFlow, uidOf } from './attack.ts';
import { authUrl, submitCode, submitPhone } from './login.ts';
import { lastCode } from './outbox.ts';
import { formCase, seedOf, startFuzzServer, stopFuzzServer, type Target, type UserSnapshot } from './fuzz.ts';
import { REGISTERED, type TestServer } from './server.ts';

export const SEED = seedOf('fuzz-register-reset', 20261211);
export const TIMEOUT = { timeout: 240_000 };
export const WITH_PASSWORD = '+12025550150';

export const isPhonePage = (p: Page) => p.html.includes('autocomplete="tel"');
export const isProfilePage = (p: Page) => p.html.includes('autocomplete="name"');
export const isNewPasswordPage = (p: Page) => p.html.includes('autocomplete="new-password"');
export const phones = fc.constantFrom(REGISTERED, WITH_PASSWORD, '+12025550199', '+1 (202) 555-0100', '１２０２５５５０１００', '+4915112345678', '+19005550100', '+1202555010');
export const thens = fc.constantFrom('sms', 'password', '');
export const target = (browser: Browser, page: Page, uid = uidOf(page)): Target => ({ browser, url: formAction(page.html, '/steps/'), csrf: csrfOf(page.html), uid });

const passwords = fc.constantFrom('lantern-violet-harbour', 'short', 'iloveyou', 'password1', 'x2025550150x', 'Ada Example 123', 'ｌａｎｔｅｒｎ－ｖｉｏｌｅｔ', 'p'.repeat(200));
/** Password and confirmation: the same value a third of the time, so that some cases pass the rules. */
export const setPasswordCase = fc.record({ c: formCase({ password: passwords, confirm: passwords, skip: fc.constantFrom('1', '0', '') }), same: fc.integer({ min: 0, max: 2 }) })
  .map(({ c, same }) => (same === 0 && c.fields.password !== undefined ? { ...c, fields: { ...c.fields, confirm: c.fields.password } } : c));

/** Registers the file's before/after: a fuzz server seeded with two accounts, checked unchanged at the end. */
export function registerResetFixture() {
  let server: TestServer;
  let seeded: UserSnapshot[];
  before(async () => {
    ({ server, seeded } = await startFuzzServer({
      users: [{ phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' }, { phone: WITH_PASSWORD, name: 'Pat Password' }],
    }, WITH_PASSWORD));
  });
  after(() => stopFuzzServer(server, seeded));

  let fresh = 0;
  /** A number no case has used yet (registrations that complete take theirs). */
  const freshNumber = () => `+1202555${String(1000 + (fresh++ % 8000)).padStart(4, '0')}`;

  async function registerPhonePage() {
    const browser = new Browser(server.url);
    const page = await browser.go(authUrl(server, { prompt: 'create' }));
    assert.ok(isPhonePage(page) && /Create/i.test(page.html), `the registration phone page: ${page.status}`);
    return { browser, page };
  }

  async function resetPhonePage() {
    const browser = new Browser(server.url);
    const start = await browser.go(authUrl(server));
    const page = await switchFlow(browser, start, 'reset-credentials');
    assert.ok(isPhonePage(page), `the reset phone page: ${page.status}`);
    return { browser, page };
  }

  async function toProfile(): Promise<{ browser: Browser; page: Page; uid: string }> {
    const phone = freshNumber();
    const { browser, page: phonePage } = await registerPhonePage();
    const codePage = await submitPhone(browser, phonePage, phone, 'sms');
    const page = await submitCode(browser, codePage, await lastCode(server, phone));
    assert.ok(isProfilePage(page), `the profile page: ${page.status} ${page.html.slice(0, 300)}`);
    return { browser, page, uid: uidOf(phonePage) };
  }

  return { server: () => server, freshNumber, registerPhonePage, resetPhonePage, toProfile };
}
