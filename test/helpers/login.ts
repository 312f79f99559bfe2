// Drives the hosted pages: start an authorization request and walk phone → code.
import { Browser, csrfOf, formAction, type Page } from './browser.ts';
import { lastCode } from './outbox.ts';
import { CLIENT, type TestServer } from './server.ts';

export function authUrl(server: TestServer, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: CLIENT.client_id, response_type: 'code', redirect_uri: CLIENT.redirect_uris[0]!,
    scope: 'openid phone profile email', state: 'st-1', nonce: 'n-1', ...extra,
  });
  return `${server.url}/auth?${params}`;
}

/** Opens the authorization URL and returns the phone page. */
export async function openPhonePage(server: TestServer, url = authUrl(server)): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser(server.url);
  const page = await browser.go(url);
  if (page.status !== 200 || !page.html.includes('autocomplete="tel"')) throw new Error(`expected the phone page, got ${page.status}`);
  return { browser, page };
}

/** The choice the phone page offers for the next step (`name="then"`), if any: the first one unless named. */
export function thenOf(html: string, wanted?: string): string | undefined {
  const values = [...html.matchAll(/name="then" value="([^"]+)"/g)].map((m) => m[1]!);
  return wanted && values.includes(wanted) ? wanted : values[0];
}

export async function submitPhone(browser: Browser, page: Page, phone: string, then?: string): Promise<Page> {
  const choice = thenOf(page.html, then);
  return browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), phone, ...(choice ? { then: choice } : {}) } });
}

export async function submitCode(browser: Browser, page: Page, code: string): Promise<Page> {
  return browser.go(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), code } });
}

/** Phone → code page (code sent) for a number. */
export async function toCodePage(server: TestServer, phone: string, url?: string) {
  const { browser, page } = await openPhonePage(server, url);
  const codePage = await submitPhone(browser, page, phone);
  if (!codePage.html.includes('autocomplete="one-time-code"')) throw new Error(`expected the code page, got ${codePage.status}: ${codePage.html.slice(0, 300)}`);
  return { browser, page: codePage, code: () => lastCode(server, phone) };
}
