// Walks every hosted page a person can reach, in a real Chromium, the way a person does: typing and
// pressing buttons (found by their form's action or name, never by their text, so every language
// walks alike) and following whatever the browser is shown. At each page it calls `visit(name)`;
// the caller decides what to check there (axe-core and screenshots, English strings, …).
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { authUrl } from './login.ts';
import { lastCode } from './outbox.ts';
import type { TestServer } from './server.ts';

export type Visit = (name: string) => Promise<void>;

/** The relying apps' callbacks, answered inside the browser (they do not exist). */
export const APP_ORIGINS = ['https://app.example.com', 'https://other.example.com'];

export interface Tour {
  page: Page;
  srv: TestServer;
  visit: Visit;
  /** Reads the newest code sent to a number (default: the server's outbox). */
  code?: (phone: string) => Promise<string>;
}

/**
 * A page whose navigations to the relying apps are answered in the browser with a small page.
 * Not page.route(): Playwright never hands redirect hops to route handlers, and the callbacks are
 * only reached by redirects; the DevTools Fetch domain pauses those too (see chromium.test.ts).
 */
export async function tourPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(15_000);
  const cdp = await context.newCDPSession(page);
  const body = Buffer.from('<!DOCTYPE html><html lang="en"><head><title>app</title></head><body><main><h1>app</h1></main></body></html>').toString('base64');
  cdp.on('Fetch.requestPaused', (event) => {
    cdp.send('Fetch.fulfillRequest', {
      requestId: event.requestId, responseCode: 200, body,
      responseHeaders: [{ name: 'content-type', value: 'text/html; charset=utf-8' }],
    }).catch(() => {});
  });
  await cdp.send('Fetch.enable', { patterns: APP_ORIGINS.map((o) => ({ urlPattern: `${o}/*`, requestStage: 'Request' as const })) });
  return page;
}

export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
}

/** Presses a button and waits for the page it leads to. */
export async function press(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

const phoneInput = (page: Page) => page.locator('input[autocomplete="tel"]');
const codeInput = (page: Page) => page.locator('input[autocomplete="one-time-code"]');
/** The step form's main button (the first submit button of the form holding `field`). */
const submitOf = (page: Page, field: Locator) => page.locator('form', { has: field }).locator('button[type="submit"]').first();
const formButton = (page: Page, action: string) => page.locator(`form[action*="${action}"] button[type="submit"]`).first();

/** Types a number on the phone page and goes on (with the named next step, if the page offers a choice). */
export async function enterPhone(page: Page, phone: string, then?: string): Promise<void> {
  await phoneInput(page).fill(phone);
  const choice = then ? page.locator(`button[name="then"][value="${then}"]`) : undefined;
  await press(page, choice && (await choice.count()) ? choice : submitOf(page, phoneInput(page)));
}

export async function enterCode(page: Page, code: string): Promise<void> {
  await codeInput(page).fill(code);
  await press(page, submitOf(page, codeInput(page)));
}

/** A code that is certainly wrong: every digit of the right one moved by one. */
export const wrongCode = (code: string) => code.replace(/\d/g, (d) => String((Number(d) + 1) % 10));

const codeOf = (t: Tour, phone: string) => (t.code ? t.code(phone) : lastCode(t.srv, phone));

/** Phone → code → the page after the right code. */
async function signIn(t: Tour, phone: string): Promise<void> {
  await enterPhone(t.page, phone, 'sms');
  await codeInput(t.page).waitFor();
  await enterCode(t.page, await codeOf(t, phone));
}

/** Pages outside any flow: home, 404, an unknown interaction, a bad authorization request. */
export async function tourOutsideFlows(t: Tour): Promise<void> {
  await open(t.page, `${t.srv.url}/`);
  await t.visit('home');
  await open(t.page, `${t.srv.url}/no-such-page`);
  await t.visit('not-found');
  await open(t.page, `${t.srv.url}/interaction/no-such-interaction`);
  await t.visit('error-interaction');
  await open(t.page, `${t.srv.url}/auth?client_id=no-such-app&response_type=code&scope=openid&redirect_uri=https://app.example.com/callback`);
  await t.visit('error-request');
}

/**
 * Sign-in by code (phone, a refused number, code, a wrong code, a resend), then the signed-in
 * pages: account, the phone change's first choice, sign-out and signed-out; then the password page.
 * `advance(ms)` moves the server's clock (and the browser's with it) past the resend wait.
 */
export async function tourSignIn(t: Tour & { phone: string; advance(ms: number): Promise<void> }): Promise<void> {
  const { page, srv } = t;
  await open(page, authUrl(srv));
  await t.visit('phone-sign-in');
  await enterPhone(page, '12', 'sms');
  await t.visit('phone-invalid');
  await enterPhone(page, t.phone, 'sms');
  await codeInput(page).waitFor();
  await t.visit('code');
  await enterCode(page, wrongCode(await codeOf(t, t.phone)));
  await t.visit('code-wrong');
  await t.advance(61_000);
  await open(page, page.url().replace(/(\/interaction\/[^/]+).*$/, '$1'));
  await press(page, page.locator('#resend'));
  await t.visit('code-resent');
  await enterCode(page, await codeOf(t, t.phone));
  if (!APP_ORIGINS.some((o) => page.url().startsWith(o))) throw new Error(`expected the app's callback, at ${page.url()}`);

  await open(page, `${srv.url}/account`);
  await t.visit('account');
  await press(page, formButton(page, '/account/change-phone'));
  await t.visit('choose-reauth');
  await open(page, `${srv.url}/session/end`);
  await t.visit('sign-out');
  await press(page, page.locator('button[name="logout"]'));
  await t.visit('signed-out');

  await open(page, authUrl(srv));
  await enterPhone(page, t.phone, 'password');
  await t.visit('password');
  await page.locator('#password').fill('not-the-password-1');
  await press(page, submitOf(page, page.locator('#password')));
  await t.visit('password-wrong');
}

/** A disabled account signs in: the page that says so. */
export async function tourDisabled(t: Tour & { phone: string }): Promise<void> {
  await open(t.page, authUrl(t.srv));
  await signIn(t, t.phone);
  await t.visit('account-disabled');
}

/**
 * The phone change from the account page: confirm by code, the new number, its code, refused
 * because another account has it.
 */
export async function tourPhoneChange(t: Tour & { phone: string; taken: string }): Promise<void> {
  const { page, srv } = t;
  await open(page, `${srv.url}/account`);
  if (await phoneInput(page).count()) await signIn(t, t.phone);
  await press(page, formButton(page, '/account/change-phone'));
  // Without a provider session, the sign-in comes first; then the phone change's own interaction.
  if (await phoneInput(page).count()) await signIn(t, t.phone);
  await press(page, page.locator('button[name="step"][value="current-sms"]'));
  await codeInput(page).waitFor();
  await t.visit('code-reauth');
  await enterCode(page, await codeOf(t, t.phone));
  await t.visit('phone-new-number');
  await enterPhone(page, t.taken);
  await codeInput(page).waitFor();
  await t.visit('code-new-number');
  await enterCode(page, await codeOf(t, t.taken));
  await t.visit('phone-taken');
}

/** Registration: phone, code, profile (refused, then filled), optional password; then consent for another app. */
export async function tourRegister(t: Tour & { phone: string; consentUrl: string }): Promise<void> {
  const { page, srv } = t;
  await open(page, authUrl(srv));
  await press(page, formButton(page, '/flow/register'));
  await t.visit('phone-register');
  await signIn(t, t.phone);
  await t.visit('profile');
  await page.locator('#name').fill('Reg Tester');
  await page.locator('#email').fill('not-an-email');
  await press(page, submitOf(page, page.locator('#name')));
  await t.visit('profile-error');
  await page.locator('#email').fill('reg@example.com');
  await press(page, submitOf(page, page.locator('#name')));
  await t.visit('set-password-register');
  await page.locator('#password').fill('short');
  await page.locator('#confirm').fill('short');
  await press(page, submitOf(page, page.locator('#password')));
  await t.visit('set-password-error');
  await press(page, page.locator('button[name="skip"]'));
  if (!APP_ORIGINS.some((o) => page.url().startsWith(o))) throw new Error(`expected the app's callback, at ${page.url()}`);

  // Signed in now: another (not first-party) app asks for consent.
  await open(page, t.consentUrl);
  await t.visit('consent');
  await press(page, page.locator('button[name="decision"][value="allow"]'));
  await open(page, `${srv.url}/session/end`);
  await press(page, page.locator('button[name="logout"]'));
}

/** Registering a number that has an account: "You already have an account", then signing in from it. */
export async function tourAccountExists(t: Tour & { phone: string }): Promise<void> {
  await open(t.page, authUrl(t.srv));
  await press(t.page, formButton(t.page, '/flow/register'));
  await signIn(t, t.phone);
  await t.visit('account-exists');
  await press(t.page, formButton(t.page, '/flow/sign-in'));
  await t.visit('account-exists-sign-in');
}

/** Signing in with a number that has no account: the registration it leads to, with its notice. */
export async function tourNoAccountSignIn(t: Tour & { phone: string }): Promise<void> {
  await open(t.page, authUrl(t.srv));
  await signIn(t, t.phone);
  await t.visit('sign-in-no-account');
}

/** Password reset: phone, code, new password; then the page it ends on. With an unknown number: "No account yet". */
export async function tourReset(t: Tour & { phone: string; unknown: string }): Promise<void> {
  const { page, srv } = t;
  const reset = async (phone: string) => {
    await open(page, authUrl(srv));
    await press(page, formButton(page, '/flow/reset-credentials'));
    await phoneInput(page).waitFor();
    if (phone === t.phone) await t.visit('phone-reset');
    await signIn(t, phone);
    if (phone === t.phone) await t.visit('set-password-reset');
    await page.locator('#password').fill('a-new-long-passphrase-1');
    await page.locator('#confirm').fill('a-new-long-passphrase-1');
    await press(page, submitOf(page, page.locator('#password')));
  };
  await reset(t.phone);
  await t.visit('reset-done');
  await reset(t.unknown);
  await t.visit('no-account');
}

/**
 * The code page's held states (needs the default sending limits and a low lockout): a number
 * whose message failed, a number in its resend cooldown from another sign-in, a locked number.
 */
export async function tourCodeLimits(t: Tour & { failing: string; held: string; locked: string; settle(): Promise<void> }): Promise<void> {
  const { page, srv } = t;
  await open(page, authUrl(srv));
  await enterPhone(page, t.failing, 'sms');
  await codeInput(page).waitFor();
  await t.settle();
  await open(page, page.url().replace(/(\/interaction\/[^/]+).*$/, '$1'));
  await page.locator('[role="alert"]').first().waitFor();
  await t.visit('code-send-failed');

  await open(page, authUrl(srv));
  await enterPhone(page, t.held, 'sms');
  await codeInput(page).waitFor();
  await open(page, authUrl(srv));
  await enterPhone(page, t.held, 'sms');
  await page.locator('#limit').waitFor();
  await t.visit('code-held');

  await open(page, authUrl(srv));
  await enterPhone(page, t.locked, 'sms');
  const right = await codeOf(t, t.locked);
  for (let i = 0; i < 5 && !(await page.locator('#limit').count()); i += 1) await enterCode(page, wrongCode(right));
  await page.locator('#limit').waitFor();
  await t.visit('code-locked');
}

/**
 * The demo (no clients configured): home with "Try signing in", the claims it ends on, its "Sign
 * out" (the confirmation naming the demo app) back to home, where "Try signing in" shows the phone
 * page again and "Create an account" starts a registration; then /session/end without a session,
 * which submits itself (app.js) to the signed-out page.
 */
export async function tourDemo(t: Tour & { phone: string }): Promise<void> {
  const { page } = t;
  await open(page, `${t.srv.url}/`);
  await t.visit('home-demo');
  await press(page, formButton(page, '/demo/login'));
  await signIn(t, t.phone);
  await t.visit('demo-result');
  await press(page, formButton(page, '/session/end'));
  await t.visit('demo-sign-out');
  await press(page, page.locator('button[name="logout"]'));
  await page.waitForURL((url) => url.pathname === '/');
  await press(page, formButton(page, '/demo/login'));
  await phoneInput(page).waitFor();
  await press(page, formButton(page, '/flow/register'));
  await page.waitForURL(/\/interaction\//);
  await phoneInput(page).waitFor();
  await t.visit('demo-register');
  await open(page, `${t.srv.url}/session/end`);
  await page.waitForURL(/\/session\/end\/success/);
  await t.visit('demo-signed-out');
}
