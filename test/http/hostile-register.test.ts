// Hostile input on the registration and reset forms: clear 4xx pages, script always escaped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

const SCRIPT = '<script>alert(1)</script>';
const post = (browser: Browser, page: Page, contains: string, form: Record<string, string | string[]>) =>
  browser.go(formAction(page.html, contains), { form: { csrf: csrfOf(page.html), ...form } });

function assert4xx(page: Page, what: string) {
  assert.ok(page.status >= 400 && page.status < 500, `${what}: ${page.status}`);
  assert.doesNotMatch(page.html, /\bat [\w.<>]+ \(|node_modules/, `${what}: no stack trace`);
  assert.doesNotMatch(page.html, /<script>alert/, `${what}: no unescaped script`);
}

async function toProfile(phone: string) {
  const browser = new Browser(server.url);
  const start = await browser.go(authUrl(server, { prompt: 'create' }));
  const codePage = await post(browser, start, '/steps/', { phone, then: 'sms' });
  const profile = await post(browser, codePage, '/steps/', { code: await lastCode(server, phone) });
  assert.match(profile.html, /autocomplete="name"/);
  return { browser, profile };
}

test('the profile form refuses hostile values and escapes what it shows back', async () => {
  const { browser, profile } = await toProfile('+12025550161');
  assert4xx(await post(browser, profile, '/steps/', { name: 'x'.repeat(10_000) }), '10 kB name');
  const long = await post(browser, profile, '/steps/', { name: 'x'.repeat(200) });
  assert4xx(long, '200-character name');
  assert.match(long.html, /name is too long/);
  const badEmail = await post(browser, profile, '/steps/', { name: SCRIPT, email: 'not-an-email' });
  assert4xx(badEmail, 'bad email');
  assert.match(badEmail.html, /does not look like an email address/);
  assert.match(badEmail.html, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  assert4xx(await post(browser, profile, '/steps/', { name: 'Bidi\u202Ename' }), 'bidi in name');
  assert4xx(await post(browser, profile, '/steps/', { name: ['a', 'b'] }), 'array name');
  assert4xx(await post(browser, profile, '/steps/', { name: '' }), 'missing required name');
  const noCsrf = await browser.request(formAction(profile.html, '/steps/'), { form: { name: 'Ada' } });
  assert.equal(noCsrf.status, 403);
});

test('the new-password form refuses short, common and mismatched passwords and missing tokens', async () => {
  const { browser, profile } = await toProfile('+12025550162');
  const pwPage = await post(browser, profile, '/steps/', { name: SCRIPT });
  assert.match(pwPage.html, /autocomplete="new-password"/);
  for (const [what, form, message] of [
    ['short', { password: 'short', confirm: 'short' }, /too short/],
    ['common', { password: 'iloveyou', confirm: 'iloveyou' }, /too common/],
    ['mismatch', { password: 'lantern-violet-harbour', confirm: 'lantern-violet-harbor' }, /not the same/],
    ['phone inside', { password: 'x2025550162x', confirm: 'x2025550162x' }, /phone number or name/],
    ['10 kB', { password: 'p'.repeat(4000), confirm: 'p'.repeat(4000) }, /too long/],
  ] as const) {
    const res = await post(browser, pwPage, '/steps/', form);
    assert4xx(res, what);
    assert.match(res.html, message, what);
  }
  assert.equal((await browser.request(formAction(pwPage.html, '/steps/'), { form: { password: 'a', confirm: 'a' } })).status, 403);
  const done = await post(browser, pwPage, '/steps/', { password: 'lantern-violet-harbour', confirm: 'lantern-violet-harbour' });
  assert.ok(done.location?.startsWith('https://app.example.com/callback?code='));
  const user = await server.store.users.findByPhone('+12025550162');
  assert.equal(user?.name, SCRIPT, 'the name is stored as typed (it is data) and escaped when shown');
});

test('flow switches and alternative choices need the CSRF token and known targets', async () => {
  const browser = new Browser(server.url);
  const start = await browser.go(authUrl(server));
  const uid = new URL(formAction(start.html, '/steps/'), server.url).pathname.split('/')[2]!;
  assert.equal((await browser.request(`/interaction/${uid}/flow/register`, { form: {} })).status, 403);
  assert.equal((await browser.request(`/interaction/${uid}/choose`, { form: { step: 'password' } })).status, 403);
  assert4xx(await browser.request(`/interaction/${uid}/flow/admin`, { form: { csrf: csrfOf(start.html) } }), 'unknown flow');
  const chosen = await browser.go(`/interaction/${uid}/choose`, { form: { csrf: csrfOf(start.html), step: 'no-such-step' } });
  assert.equal(chosen.status, 200, 'an unknown alternative is ignored');
  assert.match(chosen.html, /autocomplete="tel"/);
});
