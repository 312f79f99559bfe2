// Drives the account page over HTTP: sign in to /account by SMS code, start "Change phone number",
// and walk the change-phone steps.
import { blankPhone } from './phone.ts';
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

export const isChoosePage = (page: Page) => page.html.includes('/choose"') && !page.html.includes('autocomplete="one-time-code"');

/** On the page that asks how to go on (no code is sent before that choice), picks a way. */
export async function chooseWay(browser: Browser, page: Page, way?: string): Promise<Page> {
  if (!isChoosePage(page)) return page;
  const first = /name="step" value="([^"]+)"/.exec(page.html)![1]!; // the SMS code comes first in the shipped flows
  return browser.go(formAction(page.html, '/choose'), { form: { csrf: csrfOf(page.html), step: way ?? first } });
}

/** Presses "Change phone number" on the account page and picks the SMS code: the re-authentication page. */
export async function startChange(browser: Browser, account: Page): Promise<Page> {
  const choose = await browser.go(formAction(account.html, '/account/change-phone'), { form: { csrf: csrfOf(account.html) } });
  assert.ok(isChoosePage(choose), 'the person first picks how to confirm it is them');
  return chooseWay(browser, choose);
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
  for (const phone of phones) body = blankPhone(body, phone);
  return { status: page.status, cookies: page.headers.getSetCookie(), body };
}
