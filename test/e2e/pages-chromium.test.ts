// Accessibility and screenshots of the hosted pages, part 1 (pages outside a flow, sign-in, the
// code page's states, account, phone change, sign-out): in a real Chromium, in en and de, at
// desktop (1280×800) and phone (390×844) size, axe-core finds no WCAG 2.1 A/AA violation, and
// every page is saved as a full-page screenshot (test/helpers/page-check.ts says where).
// Part 2 (registration, reset, consent, held codes, demo) is pages-flows-chromium.test.ts.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { createPageChecks, SIZES } from '../helpers/page-check.ts';
import { tourDisabled, tourOutsideFlows, tourPage, tourPhoneChange, tourSignIn } from '../helpers/page-tour.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const DISABLED = '+12025550111';
const TAKEN = '+12025550122';

let server: TestServer | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
});

test('hosted pages (sign-in, code states, account, sign-out, errors) pass axe-core at WCAG 2.1 AA in en and de, desktop and phone', { timeout: 170_000 }, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  let offset = 0;
  const srv = server = await startServer({
    now: () => Date.now() + offset,
    config: { users: [
      { phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' },
      { phone: DISABLED, name: 'Dee Disabled' },
      { phone: TAKEN, name: 'Tom Taken' },
    ] },
  });
  const disabled = await srv.store.users.findByPhone(DISABLED);
  await srv.store.users.update(disabled!.id, { disabledAt: Date.now() });

  const checks = createPageChecks();
  for (const locale of ['en', 'de']) {
    const context = await browser.newContext({ locale, viewport: SIZES.desktop });
    // The browser's clock follows the server's (the resend countdown reads it).
    await context.clock.install({ time: Date.now() + offset });
    const advance = async (ms: number) => {
      offset += ms;
      await context.clock.setSystemTime(Date.now() + offset);
    };
    try {
      const page = await tourPage(context);
      const tour = { page, srv, visit: (name: string) => checks.check(page, name, locale) };
      await tourOutsideFlows(tour);
      await tourSignIn({ ...tour, phone: REGISTERED, advance });
      await tourDisabled({ ...tour, phone: DISABLED });
      await tourPhoneChange({ ...tour, phone: REGISTERED, taken: TAKEN });
    } finally {
      await context.close();
    }
  }

  assert.equal(checks.report(), '', checks.report());
  assert.deepEqual(checks.checked.filter((n) => n.endsWith('-en')).map((n) => n.slice(0, -3)), [
    'home', 'not-found', 'error-interaction', 'error-request',
    'phone-sign-in', 'phone-invalid', 'code', 'code-wrong', 'code-resent', 'account', 'choose-reauth', 'sign-out', 'signed-out',
    'password', 'password-wrong', 'account-disabled', 'code-reauth', 'phone-new-number', 'code-new-number', 'phone-taken',
  ], 'the tour reached every page');
  assert.equal(checks.checked.length, 40, 'the same pages in de');
});
