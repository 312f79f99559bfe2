// The admin console over HTTP: sign-in, the flow list, copy + rebind, a requirement change by form
// (303), a schema-refused config (422 beside the field, nothing saved), the 403 page for a
// non-admin, and every console page (walking the links) answering 200 without a connector secret.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const T = { timeout: 120_000 };
const SECRET = 'console-secret-0042-do-not-show';
const OTHER = '+12025550111';

let server: TestServer;
before(async () => {
  server = await startServer({ config: { users: [{ phone: REGISTERED, name: 'Ada Example' }, { phone: OTHER, name: 'Bob' }] } });
  const admin = (await server.store.users.findByPhone(REGISTERED))!;
  await server.store.users.update(admin.id, { roles: ['admin'] });
});
after(async () => { await server?.close(); });

async function signIn(phone = REGISTERED): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser(server.url);
  const phonePage = await browser.go('/admin');
  assert.match(phonePage.html, /autocomplete="tel"/);
  const codePage = await submitPhone(browser, phonePage, phone);
  const page = await submitCode(browser, codePage, await lastCode(server, phone));
  return { browser, page };
}

const hiddenRev = (html: string) => /name="rev" value="(\d+)"/.exec(html)![1]!;

test('an admin manages flows through the console forms', T, async () => {
  const { browser, page } = await signIn();
  assert.equal(page.status, 200, page.html.slice(0, 500));
  assert.match(page.html, /<h1>Flows<\/h1>/);
  assert.match(page.html, /href="\/admin\/flows\/sign-in">sign-in<\/a> <span class="badge">built-in<\/span>/);
  assert.match(page.html, /action="\/admin\/logout"/);

  // The built-in flow: a notice and "Copy to edit", rebinding for sign-in.
  const flowPage = await browser.go('/admin/flows/sign-in');
  assert.equal(flowPage.status, 200);
  assert.match(flowPage.html, /Copy to edit/);
  assert.match(flowPage.html, /Use it for sign-in/);
  const copied = await browser.request(formAction(flowPage.html, '/copy'), { form: { csrf: csrfOf(flowPage.html), newId: 'console-sign-in', rebind: 'on' } });
  assert.equal(copied.status, 303);
  assert.equal(copied.location, `${server.url}/admin/flows/console-sign-in`);
  const bindings = await browser.go('/admin/bindings');
  assert.match(bindings.html, /<option value="console-sign-in" selected>/);

  // A requirement by form → 303, and the flow shows it.
  let copy = await browser.go('/admin/flows/console-sign-in');
  assert.match(copy.html, /<select id="req-password" name="requirement">/);
  const changed = await browser.request(formAction(copy.html, '/steps/password/requirement'), { form: { csrf: csrfOf(copy.html), rev: hiddenRev(copy.html), requirement: 'DISABLED' } });
  assert.equal(changed.status, 303, changed.html.slice(0, 400));
  copy = await browser.go('/admin/flows/console-sign-in');
  assert.match(copy.html, /id="req-password" name="requirement">[^]*?<option value="DISABLED" selected>/);

  // A stale rev: the page says so, 412.
  const stale = await browser.request(formAction(copy.html, '/steps/password/requirement'), { form: { csrf: csrfOf(copy.html), rev: '1', requirement: 'ALTERNATIVE' } });
  assert.equal(stale.status, 412);
  assert.match(stale.html, /role="alert"[^]*This flow changed since you opened it; reload/);

  // A config value failing the schema: 422, the error beside the field, nothing saved.
  const config = await browser.go('/admin/flows/console-sign-in/steps/sms');
  assert.equal(config.status, 200);
  assert.match(config.html, /<input type="number" id="f-codeLength" name="c.codeLength" value="6" step="1" min="6" max="10"/);
  assert.match(config.html, /data-preview-usage="sign-in"/);
  assert.match(config.html, /class="preview-text">123456 is your/, 'the preview is rendered server-side');
  assert.match(config.html, /\d+ characters · 1 SMS segments \(GSM-7\)/);
  const form = Object.fromEntries([...config.html.matchAll(/<(?:input|textarea|select)[^>]*name="(c\.[^"]+)"[^>]*>/g)].map((m) => [m[1]!, '']));
  for (const m of config.html.matchAll(/name="(c\.[^"]+)" value="([^"]*)"/g)) form[m[1]!] = m[2]!;
  for (const m of config.html.matchAll(/name="(c\.[^"]+)"[^>]*>([^<]*)<\/textarea>/g)) form[m[1]!] = m[2]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  for (const m of config.html.matchAll(/name="(c\.[^"]+)"[^>]*>(?:<option[^>]*>[^<]*<\/option>)*/g)) {
    const sel = /<option value="([^"]+)" selected>/.exec(m[0]);
    if (sel) form[m[1]!] = sel[1]!;
  }
  const bad = await browser.request(formAction(config.html, '/steps/sms'), { form: { ...form, 'c.codeLength': '99', csrf: csrfOf(config.html), rev: hiddenRev(config.html) } });
  assert.equal(bad.status, 422, bad.html.slice(0, 600));
  assert.match(bad.html, /role="alert"/);
  assert.match(bad.html, /id="f-codeLength" name="c.codeLength" value="99"[^>]*aria-describedby="f-codeLength-error"/);
  assert.match(bad.html, /<p class="error" id="f-codeLength-error">[^<]+<\/p>/);
  const again = await browser.go('/admin/flows/console-sign-in/steps/sms');
  assert.match(again.html, /name="c.codeLength" value="6"/, 'nothing saved');

  // A good config save → 303; the value is kept.
  const good = await browser.request(formAction(config.html, '/steps/sms'), { form: { ...form, 'c.codeLength': '8', csrf: csrfOf(config.html), rev: hiddenRev(again.html) } });
  assert.equal(good.status, 303, good.html.slice(0, 600));
  assert.match((await browser.go('/admin/flows/console-sign-in/steps/sms')).html, /name="c.codeLength" value="8"/);

  // Versions: rollback to version 1.
  const versions = await browser.go('/admin/flows/console-sign-in/versions');
  assert.match(versions.html, /Activate version 1/);
  const back = await browser.request(formAction(versions.html, '/1/activate'), { form: { csrf: csrfOf(versions.html), rev: hiddenRev(versions.html) } });
  assert.equal(back.status, 303);
  assert.match((await browser.go('/admin/flows/console-sign-in/steps/sms')).html, /name="c.codeLength" value="6"/);

  // A POST without the CSRF token is refused.
  assert.equal((await browser.request('/admin/flows/console-sign-in/steps/password/remove', { form: { rev: '1' } })).status, 403);
});

test('a non-admin gets the 403 page', T, async () => {
  const { page } = await signIn(OTHER);
  assert.equal(page.status, 403);
  assert.match(page.html, /This account is not an admin/);
});

test('every console page answers 200 and shows no connector secret', T, async () => {
  const { browser } = await signIn();
  // A twilio connector with a secret in the chain, through the API (console session + CSRF header).
  const home = await browser.go('/admin');
  const csrf = /<meta name="csrf" content="([^"]+)">/.exec(home.html)![1]!;
  const chain = await browser.request('/admin/api/sms/connectors', { headers: { accept: 'application/json' } });
  const body = JSON.parse(chain.html) as { connectors: Record<string, unknown>[] };
  const put = await browser.request('/admin/api/sms/connectors', {
    method: 'PUT', headers: { 'content-type': 'application/json', 'x-flowgate-csrf': csrf, 'if-match': chain.headers.get('etag')! },
    body: JSON.stringify({ connectors: [...body.connectors.map(({ secretsSet: _s, ...c }) => c), { type: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: SECRET, from: '+15005550006' }] }),
  });
  assert.equal(put.status, 200, put.html);

  const seen = new Set<string>();
  const queue = ['/admin'];
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const page = await browser.request(path);
    assert.equal(page.status, 200, `${path}: ${page.status}`);
    assert.ok(!page.html.includes(SECRET), `${path} shows the secret`);
    for (const m of page.html.matchAll(/href="(\/admin[^"#?]*)"/g)) if (!seen.has(m[1]!)) queue.push(m[1]!);
  }
  for (const p of ['/admin/bindings', '/admin/sms', '/admin/users', '/admin/audit', '/admin/flows/sign-in/versions', '/admin/flows/sign-in/steps/sms']) {
    assert.ok(seen.has(p), `walked ${p}`);
  }
  const sms = await browser.go('/admin/sms');
  assert.match(sms.html, /<strong>twilio<\/strong>/);
  assert.match(sms.html, /Secrets set: authToken/);

  // Users: search, then disable and enable Bob by form.
  const users = await browser.go('/admin/users?q=Bob');
  assert.match(users.html, /Disable \+12025550111/);
  const disabled = await browser.request(formAction(users.html, '/disable'), { form: { csrf: csrfOf(users.html), q: 'Bob' } });
  assert.equal(disabled.status, 303);
  const after = await browser.go(disabled.location!);
  assert.match(after.html, /Enable \+12025550111/);
  const audit = await browser.go('/admin/audit');
  assert.match(audit.html, /sms\.connectors\.update/);
  assert.ok(!audit.html.includes(SECRET));
});
