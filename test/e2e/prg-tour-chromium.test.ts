// Post/Redirect/Get on every step page, in a real Chromium: the tours of the hosted pages (sign-in,
// registration, "You already have an account", reset, "No account yet", the phone change, the code
// page's limit states) walk every step, and at each page under /interaction/ the person reloads,
// goes Back and Forward and reloads again. Every POST a form makes is answered by a redirect
// (never a page, so there is nothing to resubmit), every history move is a GET, the same step is
// shown afterwards, and no code is sent and no attempt is spent by the moves.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Browser, Page, Request, Response } from 'playwright-core';
import { launchOrSkip } from '../helpers/chromium.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { memoryConnector } from '../helpers/memory-connector.ts';
import { SIZES } from '../helpers/page-check.ts';
import {
  tourAccountExists, tourCodeLimits, tourNoAccountSignIn, tourPage, tourPhoneChange, tourRegister, tourReset, tourSignIn,
  type Tour,
} from '../helpers/page-tour.ts';
import { authUrl } from '../helpers/login.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const OTHER_APP = {
  client_id: 'other-app', client_secret: 'other-secret-0123456789abcdef', client_name: 'Other App',
  redirect_uris: ['https://other.example.com/callback'], grant_types: ['authorization_code'],
};

const TAKEN = '+12025550122';
const FAILING = '+12025550161';

const servers: TestServer[] = [];
let browser: Browser | undefined;
after(async () => {
  await browser?.close().catch(() => {});
  for (const s of servers) await s.close();
});

const interactionOf = (url: string) => /\/interaction\/([^/?#]+)/.exec(new URL(url).pathname)?.[1];

/** What a person sees as the step: the page's title and main heading. */
const stepOf = async (page: Page) => `${await page.title()} | ${(await page.locator('h1').first().textContent())?.trim()}`;

/** A server of the tour and how many messages it has sent so far. */
interface Target { srv: TestServer; sentCount(): Promise<number> }

/** What moving through history must not change: codes sent, and this interaction's sends and failed attempts. */
async function spent(target: Target, uid: string) {
  return { counters: await target.srv.store.otp.counters(uid), messages: await target.sentCount() };
}

interface Moves { pages: string[]; nonGet: string[]; postAnswers: string[] }

/** A `visit` that reloads, goes Back and Forward and reloads on every step page, and checks what it may. */
function historyMoves(page: Page, targetOf: () => Target): { visit: (name: string) => Promise<void>; moves: Moves } {
  const moves: Moves = { pages: [], nonGet: [], postAnswers: [] };
  page.on('response', (res: Response) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame() && req.method() === 'POST' && res.status() !== 303) {
      moves.postAnswers.push(`${req.url()} → ${res.status()}`);
    }
  });
  const visit = async (name: string) => {
    const uid = interactionOf(page.url());
    if (!uid) return;
    const target = targetOf();
    const { srv } = target;
    moves.pages.push(name);
    const shown = await stepOf(page);
    const before = await spent(target, uid);
    // What the person typed before (the tour goes on from it): a fresh GET shows the step afresh.
    const typed = await page.locator('input[type=text], input[type=email], input[type=tel]').evaluateAll(
      (inputs) => inputs.map((i) => [(i as HTMLInputElement).id, (i as HTMLInputElement).value] as const).filter(([id, v]) => id && v));
    const methods: string[] = [];
    const listener = (req: Request) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame() && new URL(req.url()).origin === srv.url) methods.push(req.method());
    };
    page.on('request', listener);
    try {
      await page.reload({ waitUntil: 'load' });
      await page.goBack({ waitUntil: 'load' });
      await page.goForward({ waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
    } finally {
      page.off('request', listener);
    }
    if (methods.some((m) => m !== 'GET')) moves.nonGet.push(`${name}: ${methods.join(', ')}`);
    assert.equal(interactionOf(page.url()), uid, `${name}: back on the same interaction`);
    assert.equal(await stepOf(page), shown, `${name}: the same step is shown after reload, Back and Forward`);
    assert.deepEqual(await spent(target, uid), before, `${name}: no code sent and no attempt spent by moving through history`);
    for (const [id, value] of typed) await page.locator(`#${id}`).fill(value);
  };
  return { visit, moves };
}

test('every step page survives reload, Back and Forward: only GETs, the same step, no code sent, no attempt spent', { timeout: 170_000 }, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  let offset = 0;
  const main = await startServer({
    now: () => Date.now() + offset,
    config: { clients: [CLIENT, OTHER_APP], users: [
      { phone: REGISTERED, name: 'Ada Example', email: 'ada@example.com' },
      { phone: TAKEN, name: 'Tom Taken' },
    ] },
  });
  servers.push(main);
  const memory = memoryConnector(new Set([FAILING]));
  // The default sending limits (a 60 s cooldown per number), and a lockout after 3 wrong codes.
  const limited = await startServer({ connectors: [memory.connector], config: { limits: { guessing: { lockoutAfter: 3 } } } });
  servers.push(limited);
  const consentUrl = authUrl(main, {
    client_id: OTHER_APP.client_id, redirect_uri: OTHER_APP.redirect_uris[0]!, scope: 'openid phone profile',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  });

  const context = await browser.newContext({ locale: 'en', viewport: SIZES.desktop });
  // The browser's clock follows the server's (the resend countdown reads it).
  await context.clock.install({ time: Date.now() + offset });
  const advance = async (ms: number) => {
    offset += ms;
    await context.clock.setSystemTime(Date.now() + offset);
  };
  try {
    const page = await tourPage(context);
    const mainTarget: Target = { srv: main, sentCount: async () => (await outboxLinesOf(main)).length };
    const limitedTarget: Target = { srv: limited, sentCount: async () => { await limited.flowgate.drainSms(); return memory.sent.length; } };
    let current = mainTarget;
    const { visit, moves } = historyMoves(page, () => current);
    const on = (srv: TestServer): Tour => ({ page, srv, visit });
    await tourSignIn({ ...on(main), phone: REGISTERED, advance });
    await tourRegister({ ...on(main), phone: '+12025550131', consentUrl });
    await tourAccountExists({ ...on(main), phone: REGISTERED });
    await tourNoAccountSignIn({ ...on(main), phone: '+12025550141' });
    await tourReset({ ...on(main), phone: REGISTERED, unknown: '+12025550151' });
    await tourPhoneChange({ ...on(main), phone: REGISTERED, taken: TAKEN });
    current = limitedTarget;
    await tourCodeLimits({ ...on(limited), code: memory.code, failing: FAILING, held: '+12025550171', locked: '+12025550181', settle: () => limited.flowgate.drainSms() });

    assert.deepEqual(moves.postAnswers, [], 'every form POST is answered by a 303 redirect');
    assert.deepEqual(moves.nonGet, [], 'history moves are GETs only (no "Confirm Form Resubmission")');
    for (const step of ['phone-sign-in', 'code', 'code-wrong', 'password', 'password-wrong', 'phone-register', 'profile', 'profile-error',
      'set-password-register', 'set-password-error', 'consent', 'account-exists', 'sign-in-no-account', 'phone-reset', 'set-password-reset',
      'no-account', 'code-reauth', 'phone-new-number', 'code-new-number', 'phone-taken', 'code-send-failed', 'code-held', 'code-locked']) {
      assert.ok(moves.pages.includes(step), `the tour reached and moved through '${step}' (reached: ${moves.pages.join(', ')})`);
    }
  } finally {
    await context.close();
  }
});
