// First run with no configuration: the home page's "Try signing in" runs a real OIDC login for
// the built-in demo client, with the SMS printed on the console.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Browser, csrfOf, formAction } from '../helpers/browser.ts';
import { startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-demo-'));
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });

test('with no configuration, "Try signing in" completes a login and shows the claims', async () => {
  child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`, FLOWGATE_CONFIG: '' });
  const browser = new Browser(child.url);
  const home = await browser.go('/');
  assert.match(home.html, /Try signing in/);
  const phonePage = await browser.go(formAction(home.html, '/demo/login'), { form: {} });
  assert.match(phonePage.html, /autocomplete="tel"/);
  const codePage = await browser.go(formAction(phonePage.html, '/steps/'), { form: { csrf: csrfOf(phonePage.html), phone: '+1 202 555 0100', then: 'sms' } });
  await new Promise((r) => setTimeout(r, 50));
  const printed = /SMS \(console connector, development only\) to \+12025550100[\s\S]*?#(\d{6})/.exec(child.output());
  assert.ok(printed, `the code is printed on the console:\n${child.output()}`);
  const claims = await browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), code: printed[1]! } });
  assert.equal(claims.status, 200, claims.html.slice(0, 500));
  assert.match(claims.html, /&quot;phone_number&quot;: &quot;\+12025550100&quot;/);
  assert.match(claims.html, /&quot;amr&quot;/);
});
