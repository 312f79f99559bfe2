// End to end in a real Chromium (playwright-core): openid-client builds the authorization URL
// (PKCE S256 + state + nonce), the browser walks the hosted phone and code pages, the redirect to
// the relying app is intercepted, and openid-client exchanges the code. Also checks, in the
// browser, that the pages raise no Content-Security-Policy violations, set <html lang>, and
// refuse framing (header on the phone page, and Chromium actually refusing to render it in an
// iframe on another origin).
//
// Chromium: env CHROMIUM_PATH, else /usr/bin/chromium. When it is missing the test is skipped
// with a loud message, except under CI=true where it fails.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const REDIRECT_URI = CLIENT.redirect_uris[0]!;

/** The outbox is written before the code page renders; poll briefly anyway so a slow disk cannot flake. */
async function waitForCode(outbox: string, phone: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return lastCode(outbox, phone);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

let server: TestServer | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  browser = undefined;
  await server?.close();
  server = undefined;
});

test('Chromium signs in by SMS code through the hosted pages (openid-client RP)', { timeout: 90_000 }, async (t) => {
  const launched = await launchOrSkip(t); // skips (fails under CI=true) when Chromium is missing
  if (!launched) return;
  browser = launched;

  const srv = await startServer();
  server = srv;
  const config = await oidc.discovery(new URL(srv.url), CLIENT.client_id, CLIENT.client_secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: 'openid phone profile email', state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });

  try {
    // A fresh context is an ephemeral profile: no cookies or storage from anywhere else.
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(15_000);

    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`${msg.text()} @ ${msg.location().url}`);
    });
    page.on('pageerror', (err) => { pageErrors.push(String(err)); });

    // The relying app does not exist: answer its callback inside the browser and remember the URL.
    // Not page.route(): Playwright never hands redirect hops to route handlers (it continues them
    // itself; microsoft/playwright#33882, "The handler will only be called for the first url if
    // the response is a redirect"), and the callback is only ever reached by flowgate's 303. The
    // DevTools Fetch domain does pause redirect hops, so the request never leaves the browser.
    let callbackUrl: string | undefined;
    const callbackBody = '<!DOCTYPE html><html lang="en"><head><title>callback</title></head><body><p>ok</p></body></html>';
    const cdp = await context.newCDPSession(page);
    cdp.on('Fetch.requestPaused', (event) => {
      callbackUrl ??= event.request.url;
      cdp.send('Fetch.fulfillRequest', {
        requestId: event.requestId,
        responseCode: 200,
        responseHeaders: [{ name: 'content-type', value: 'text/html; charset=utf-8' }],
        body: Buffer.from(callbackBody).toString('base64'),
      }).catch((err: unknown) => { pageErrors.push(`fulfilling ${event.request.url}: ${String(err)}`); });
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: 'https://app.example.com/*', requestStage: 'Request' }] });

    // Phone page.
    const phoneResponse = await page.goto(authUrl.href, { waitUntil: 'load' });
    assert.ok(phoneResponse, 'navigation to the authorization URL produced a response');
    assert.equal(phoneResponse.status(), 200, `phone page status, at ${page.url()}`);
    const phonePolicy = (await phoneResponse.allHeaders())['content-security-policy'] ?? '';
    assert.match(phonePolicy, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, `phone page CSP refuses framing: ${phonePolicy}`);

    const phoneInput = page.locator('input[autocomplete="tel"]');
    await phoneInput.fill(REGISTERED);
    await page.locator('form', { has: phoneInput }).locator('button[type="submit"]').first().click();

    // Code page.
    const codeInput = page.locator('input[autocomplete="one-time-code"]');
    await codeInput.waitFor({ state: 'visible' });
    await page.waitForLoadState('load');
    const lang = await page.locator('html').getAttribute('lang');
    assert.ok(lang && /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(lang), `code page sets <html lang>, got ${JSON.stringify(lang)}`);

    const code = await waitForCode(srv.outbox, REGISTERED);
    await codeInput.fill(code);
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(REDIRECT_URI), { waitUntil: 'load' }),
      page.locator('form', { has: codeInput }).locator('button[type="submit"]').click(),
    ]);

    assert.ok(callbackUrl, 'the browser was redirected to the relying app callback');
    assert.ok(callbackUrl.startsWith(`${REDIRECT_URI}?`), `callback URL: ${callbackUrl}`);
    assert.equal(page.url(), callbackUrl);
    assert.equal(await page.locator('p').textContent(), 'ok', 'the intercepted callback page was shown');

    // Browser-side checks over the whole run.
    const cspErrors = consoleErrors.filter((m) => /content[- ]security[- ]policy|\bCSP\b/i.test(m));
    assert.deepEqual(cspErrors, [], 'no Content-Security-Policy violations in the console');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');

    // Token exchange by the relying party.
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.ok(claims, 'an ID token was issued');
    assert.equal(claims.phone_number, REGISTERED);
    assert.equal(claims.phone_number_verified, true);
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('sms'), `amr includes sms: ${JSON.stringify(claims.amr)}`);

    await context.close();

    // Framing as Chromium enforces it: a page on another origin embeds a fresh authorization
    // request, flowgate answers with a live phone page (200), and the browser refuses to render
    // it. The framing page is served by a real server on loopback (another port, so another
    // origin): a page fulfilled by page.route() counts as public to Chromium's Local Network
    // Access checks, which would block the iframe for the wrong reason. A separate context so
    // the expected refusal cannot mix with the login's console checks or cookies.
    const framedAuthUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid phone', state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const framerServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><html lang="en"><head><title>framer</title></head><body><iframe src="${framedAuthUrl.href.replaceAll('&', '&amp;')}"></iframe></body></html>`);
    });
    framerServer.listen(0, '127.0.0.1');
    await once(framerServer, 'listening');
    const framer = await browser.newContext();
    try {
      const framerPage = await framer.newPage();
      framerPage.setDefaultTimeout(15_000);
      const framerErrors: string[] = [];
      framerPage.on('console', (msg) => { if (msg.type() === 'error') framerErrors.push(msg.text()); });
      const [framed] = await Promise.all([
        framerPage.waitForResponse((r) => r.url().startsWith(`${srv.url}/interaction/`)),
        framerPage.goto(`http://127.0.0.1:${(framerServer.address() as AddressInfo).port}/`, { waitUntil: 'load' }),
      ]);
      assert.equal(framed.status(), 200, 'the framed request reached a live phone page');
      const framedPolicy = (await framed.allHeaders())['content-security-policy'] ?? '';
      assert.match(framedPolicy, /frame-ancestors 'none'/, `framed response CSP: ${framedPolicy}`);
      const child = framerPage.mainFrame().childFrames()[0];
      assert.ok(child, 'the framing page has its iframe');
      const deadline = Date.now() + 5000;
      while (!child.url().startsWith('chrome-error:') && Date.now() < deadline) await framerPage.waitForTimeout(50);
      assert.ok(child.url().startsWith('chrome-error:'), `the framed phone page was refused, frame is at ${child.url()}`);
      assert.ok(framerErrors.some((m) => /frame-ancestors|X-Frame-Options/i.test(m)),
        `Chromium reports the refusal: ${JSON.stringify(framerErrors)}`);
    } finally {
      await framer.close();
      framerServer.closeAllConnections();
      await new Promise<void>((resolve) => framerServer.close(() => resolve()));
    }
  } finally {
    await browser.close().catch(() => {});
    browser = undefined;
  }
});
