// What the hostile tests share: fresh interactions driven to a step, and responses normalized so
// that two numbers' answers can be compared byte for byte.
import { blankPhone } from './phone.ts';
import { Browser, csrfOf, formAction, type Page } from './browser.ts';
import { authUrl, openPhonePage, submitPhone } from './login.ts';
import type { TestServer } from './server.ts';

/** A fresh interaction (new browser, new /auth) with the phone submitted and a way chosen. */
export async function freshPhoneSubmit(server: TestServer, phone: string, opts: { then?: string; headers?: Record<string, string>; url?: string } = {}) {
  const browser = new Browser(server.url);
  const phonePage = await browser.go(opts.url ?? authUrl(server), { headers: opts.headers ?? {} });
  if (!phonePage.html.includes('autocomplete="tel"')) throw new Error(`expected the phone page, got ${phonePage.status}: ${phonePage.html.slice(0, 300)}`);
  const then = [...phonePage.html.matchAll(/name="then" value="([^"]+)"/g)].map((m) => m[1]!);
  const choice = opts.then && then.includes(opts.then) ? opts.then : then[0];
  const page = await browser.go(formAction(phonePage.html, '/steps/'), {
    form: { csrf: csrfOf(phonePage.html), phone, ...(choice ? { then: choice } : {}) }, headers: opts.headers ?? {},
  });
  return { browser, page, uid: uidOf(phonePage), csrf: csrfOf(phonePage.html) };
}

export function uidOf(page: Page): string {
  return new URL(formAction(page.html, '/interaction/'), page.url).pathname.split('/')[2]!;
}

/** POSTs a form of the page (the first form whose action contains `contains`). */
export function post(browser: Browser, page: Page, contains: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
  return browser.go(formAction(page.html, contains), { form: { csrf: csrfOf(page.html), ...form }, headers });
}

/** Switches the interaction to another flow (e.g. reset-credentials) from any of its pages, as a direct POST. */
export function switchFlow(browser: Browser, page: Page, flowId: string): Promise<Page> {
  return browser.go(`/interaction/${uidOf(page)}/flow/${flowId}`, { form: { csrf: csrfOf(page.html) } });
}

/** A page with everything that differs between two interactions taken out (uid, CSRF, the number, times). */
export function normalized(page: Page, known: { uid: string; csrf: string; phone: string }) {
  const body = blankPhone(page.html.replaceAll(known.uid, 'UID').replaceAll(known.csrf, 'CSRF'), known.phone)
    .replace(/data-resend-at="[^"]+"/g, '').replace(/\d+ (seconds|minutes|hours)/g, 'N $1');
  const cookies = page.headers.getSetCookie().map((c) => c.split('=')[0]).sort();
  const location = page.location?.replaceAll(known.uid, 'UID');
  return { status: page.status, body, cookies, location };
}

export { openPhonePage, submitPhone };
