// First run with no configuration: the home page's "Try signing in" runs a real OIDC login for
// the built-in demo client, with the SMS printed on the console; its "Sign out" (RP-initiated
// logout with id_token_hint) lands on the home page, so the next "Try signing in" shows the phone
// page with "Create an account" again. Signing out without a session is a flowgate page too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Browser, formAction, type Page } from '../helpers/browser.ts';
import { demoSignIn } from '../helpers/demo.ts';
import { startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-demo-'));
let child: Child;
before(async () => { child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`, FLOWGATE_CONFIG: '' }); });
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });

/** The hidden fields (and the named button's value) of the form whose action contains `action`. */
function formFields(html: string, action: string): Record<string, string> {
  const form = [...html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => m[1]!.includes(action));
  assert.ok(form, `a form posting to ${action}`);
  return Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
    .map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')]));
}

/** A flowgate page: in the locale, with our layout, and no inline script allowed or present. */
function assertFlowgatePage(page: Page, locale: string): void {
  assert.equal(page.status, 200, page.html.slice(0, 300));
  assert.match(page.html, new RegExp(`<html lang="${locale}">`));
  assert.match(page.html, /<link rel="stylesheet" href="\/assets\/app.css">/);
  assert.doesNotMatch(page.html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, `script-src is 'self' alone: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/);
}

test('with no configuration, "Try signing in" shows the claims; "Sign out" ends the session, and the next "Try signing in" offers "Create an account" again', { timeout: 60_000 }, async () => {
  const browser = new Browser(child.url);
  const claims = await demoSignIn(child, browser);
  assert.equal(claims.status, 200, claims.html.slice(0, 500));
  assert.match(claims.html, /&quot;phone_number&quot;: &quot;\+12025550100&quot;/);
  assert.match(claims.html, /&quot;amr&quot;/);
  // Signed in: "Try signing in" goes straight back to the claims (no phone page).
  const again = await browser.go(formAction((await browser.go('/')).html, '/demo/login'), { form: {} });
  assert.match(again.html, /id="claims"/);

  const signOut = formFields(again.html, '/session/end');
  assert.ok(signOut.id_token_hint!.split('.').length === 3, 'the ID token is the hint');
  assert.equal(signOut.post_logout_redirect_uri, `${child.url}/?ui_locales=en`);
  assert.match(again.html, /<form method="get" action="[^"]+\/session\/end">/);
  const confirm = await browser.go(`/session/end?${new URLSearchParams(signOut)}`);
  assertFlowgatePage(confirm, 'en');
  assert.match(confirm.html, /Do you want to sign out of flowgate demo app\?/);

  const fields = formFields(confirm.html, '/session/end/confirm');
  const home = await browser.request(formAction(confirm.html, '/session/end/confirm'), { form: { ...fields, logout: 'yes' } });
  assert.equal(home.status, 303);
  assert.equal(home.location, `${child.url}/?ui_locales=en`, 'back on the demo\'s start page');
  const start = await browser.go(home.location!);
  assert.match(start.html, /Try signing in/);

  const phonePage = await browser.go(formAction(start.html, '/demo/login'), { form: {} });
  assert.match(phonePage.html, /autocomplete="tel"/, 'signed out: the phone page again');
  assert.match(phonePage.html, /Create an account/);
  assert.match(phonePage.html, /Forgot your password\?/);
  const register = await browser.go(formAction(phonePage.html, '/flow/register'), { form: formFields(phonePage.html, '/flow/register') });
  assert.equal(register.status, 200, register.html.slice(0, 300));
  assert.match(register.html, /autocomplete="tel"/);
  assert.match(register.html, /<title>Create account · /, 'a registration has started');
});

test('GET /session/end without a session is a flowgate page in the person\'s language, then the signed-out page', { timeout: 30_000 }, async () => {
  for (const [locale, text, done] of [['de', /Sie sind hier nicht angemeldet/, /Sie wurden abgemeldet/], ['en', /You are not signed in here/, /You have been signed out/]] as const) {
    const browser = new Browser(child.url, { 'accept-language': locale });
    const page = await browser.go('/session/end');
    assertFlowgatePage(page, locale);
    assert.match(page.html, text);
    assert.match(page.html, /<form method="post" action="[^"]+\/session\/end\/confirm" data-auto-submit>/);
    assert.doesNotMatch(page.html, /Submitting Callback|JavaScript/, 'not oidc-provider\'s own page');
    const fields = formFields(page.html, '/session/end/confirm');
    assert.equal(fields.logout, 'yes');
    const out = await browser.go(formAction(page.html, '/session/end/confirm'), { form: fields });
    assertFlowgatePage(out, locale);
    assert.match(out.html, done);
  }
});
