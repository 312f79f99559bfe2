// The demo's sign-in on a flowgate process with no configuration: home → "Try signing in" → phone →
// the code the console connector printed → the demo's claims page.
import assert from 'node:assert/strict';
import { Browser, csrfOf, formAction, type Page } from './browser.ts';
import type { Child } from './process.ts';

export async function demoSignIn(child: Child, browser = new Browser(child.url)): Promise<Page> {
  const home = await browser.go('/');
  assert.match(home.html, /Try signing in/);
  const phonePage = await browser.go(formAction(home.html, '/demo/login'), { form: {} });
  assert.match(phonePage.html, /autocomplete="tel"/);
  const codePage = await browser.go(formAction(phonePage.html, '/steps/'), { form: { csrf: csrfOf(phonePage.html), phone: '+1 202 555 0100', then: 'sms' } });
  let printed: RegExpExecArray | null = null;
  for (let i = 0; i < 100 && !printed; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
    printed = /SMS \(console connector, development only\) to \+12025550100[\s\S]*?#(\d{6})/.exec(child.output());
  }
  assert.ok(printed, `the code is printed on the console:\n${child.output()}`);
  return browser.go(formAction(codePage.html, '/steps/'), { form: { csrf: csrfOf(codePage.html), code: printed[1]! } });
}
