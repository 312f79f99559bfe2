// Drives the account page over HTTP: sign in to /account by SMS code, start "Change phone number",
// and walk the change-phone steps.
import assert from 'node:assert/strict';
import { Browser, csrfOf, formAction, type Page } from './browser.ts';
import { submitCode, submitPhone } from './login.ts';
import { lastCode } from './outbox.ts';
import type { TestServer } from './server.ts';

export const isCodePage = (page: Page) => page.html.includes('autocomplete="one-time-code"');
export const uidOf = (page: Page) => new URL(formAction(page.html, '/steps/'), 'http://x').pathname.split('/')[2]!;

/** Signs in to /account with a number and its SMS code; returns the account page. */
export async function signInToAccount(server: TestServer, phone: string, browser = new Browser(server.url)) {
  const phonePage = await browser.go('/account');
  assert.match(phonePage.html, /autocomplete="tel"/, `expected the sign-in page, got ${phonePage.status}`);
  const codePage = await submitPhone(browser, phonePage, phone);
  const account = await submitCode(browser, codePage, await lastCode(server, phone));
  assert.equal(account.status, 200, account.html.slice(0, 400));
  assert.match(account.html, /id="account-phone"/, 'the account page');
  return { browser, account };
}

/** Presses "Change phone number" on the account page: the re-authentication page. */
export function startChange(browser: Browser, account: Page): Promise<Page> {
  return browser.go(formAction(account.html, '/account/change-phone'), { form: { csrf: csrfOf(account.html) } });
}

/** Posts a code to the current code page; returns the next page. */
export async function proveByCode(server: TestServer, browser: Browser, page: Page, phone: string): Promise<Page> {
  assert.ok(isCodePage(page), `expected a code page, got ${page.status}: ${page.html.slice(0, 300)}`);
  return submitCode(browser, page, await lastCode(server, phone));
}

/** Re-auth by SMS to the current number, then the new number: its code page. */
export async function toNewNumberCode(server: TestServer, browser: Browser, account: Page, current: string, next: string) {
  const reauth = await startChange(browser, account);
  const numberPage = await proveByCode(server, browser, reauth, current);
  assert.match(numberPage.html, /Your new phone number/);
  return submitPhone(browser, numberPage, next);
}

/** A page with uid, CSRF token, the given numbers and the resend timestamp replaced, to compare two answers. */
export function normalized(page: Page, ...phones: string[]): { status: number; cookies: string[]; body: string } {
  let body = page.html.replaceAll(uidOf(page), 'UID').replaceAll(csrfOf(page.html), 'CSRF').replace(/data-resend-at="[^"]+"/g, '');
  for (const phone of phones) body = body.replaceAll(phone, 'PHONE');
  return { status: page.status, cookies: page.headers.getSetCookie(), body };
}
