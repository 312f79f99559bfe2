// Accessibility and screenshots of the hosted pages, part 2 (registration, "You already have an
// account", reset, "No account yet", consent for another app, the code page's held states, the
// demo): in a real Chromium, in en and de, at desktop and phone size, axe-core finds no WCAG 2.1
// A/AA violation, and every page is saved as a full-page screenshot. Part 1 is pages-chromium.test.ts.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { memoryConnector } from '../helpers/memory-connector.ts';
import { authUrl } from '../helpers/login.ts';
import { createPageChecks, SIZES } from '../helpers/page-check.ts';
import {
  tourAccountExists, tourCodeLimits, tourDemo, tourNoAccountSignIn, tourPage, tourRegister, tourReset, type Tour,
} from '../helpers/page-tour.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

/** Another app, not first party: it asks for consent. */
const OTHER_APP = {
  client_id: 'other-app', client_secret: 'other-secret-0123456789abcdef', client_name: 'Other App',
  redirect_uris: ['https://other.example.com/callback'], grant_types: ['authorization_code'],
};

/** Numbers of their own per locale: registration creates accounts, limits count per number. */
const numbers = (i: number) => ({
  register: `+1202555013${i}`, noAccount: `+1202555014${i}`, unknown: `+1202555015${i}`,
  failing: `+1202555016${i}`, held: `+1202555017${i}`, locked: `+1202555018${i}`,
});

const servers: TestServer[] = [];
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  for (const s of servers) await s.close();
});

test('hosted pages (registration, reset, consent, held codes, demo) pass axe-core at WCAG 2.1 AA in en and de, desktop and phone', { timeout: 170_000 }, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const main = await startServer({ config: { clients: [CLIENT, OTHER_APP] } });
  servers.push(main);
  const failing = new Set([numbers(0).failing, numbers(1).failing]);
  const memory = memoryConnector(failing);
  // The default sending limits (a 60 s cooldown per number), and a lockout after 3 wrong codes.
  const limited = await startServer({ connectors: [memory.connector], config: { limits: { guessing: { lockoutAfter: 3 } } } });
  servers.push(limited);
  const demo = await startServer({ config: { clients: [] } });
  servers.push(demo);
  // A fixed verifier's S256 challenge; the code is never redeemed.
  const consentUrl = authUrl(main, {
    client_id: OTHER_APP.client_id, redirect_uri: OTHER_APP.redirect_uris[0]!, scope: 'openid phone profile',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  });

  const checks = createPageChecks();
  for (const [i, locale] of ['en', 'de'].entries()) {
    const n = numbers(i);
    const context = await browser.newContext({ locale, viewport: SIZES.desktop });
    try {
      const page = await tourPage(context);
      const visit = (name: string) => checks.check(page, name, locale);
      const on = (srv: TestServer, extra: Partial<Tour> = {}): Tour => ({ page, srv, visit, ...extra });
      await tourRegister({ ...on(main), phone: n.register, consentUrl });
      await tourAccountExists({ ...on(main), phone: REGISTERED });
      await tourNoAccountSignIn({ ...on(main), phone: n.noAccount });
      await tourReset({ ...on(main), phone: REGISTERED, unknown: n.unknown });
      await tourCodeLimits({
        ...on(limited, { code: memory.code }), failing: n.failing, held: n.held, locked: n.locked,
        settle: () => limited.flowgate.drainSms(),
      });
      await tourDemo({ ...on(demo), phone: REGISTERED });
    } finally {
      await context.close();
    }
  }

  assert.equal(checks.report(), '', checks.report());
  assert.deepEqual(checks.checked.filter((c) => c.endsWith('-en')).map((c) => c.slice(0, -3)), [
    'phone-register', 'profile', 'profile-error', 'set-password-register', 'set-password-error', 'consent',
    'account-exists', 'account-exists-sign-in', 'sign-in-no-account', 'phone-reset', 'set-password-reset', 'reset-done', 'no-account',
    'code-send-failed', 'code-held', 'code-locked', 'home-demo', 'demo-result', 'demo-sign-out', 'demo-register', 'demo-signed-out',
  ], 'the tour reached every page');
  assert.equal(checks.checked.length, 42, 'the same pages in de');
});
