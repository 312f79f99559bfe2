// SECURITY.md rule 11: sign-in, registration, reset and phone change answer a registered and an
// unregistered number the same way, at every step up to the code page and while the number is
// locked out. Each walk is a fresh browser; every response on the way (redirects included) is
// normalized — status, body without the interaction id, CSRF token, the number and times, cookie
// names, redirect target — and the two numbers' walks are diffed. The limits are the defaults
// (`limits: {}`) and the clock is the server's injected one.
import { blankPhone } from '../helpers/phone.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { proveByCode, signInToAccount, startChange } from '../helpers/account.ts';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, UNREGISTERED, type TestServer } from '../helpers/server.ts';

/** The accounts whose number is changed: one per walk, so that both walks reach the new number at the same time. */
const OWNERS = { [REGISTERED]: '+12025550140', [UNREGISTERED]: '+12025550141' } as Record<string, string>;

let clock = Date.parse('2026-12-01T09:00:00Z');
const now = () => clock;
let server: TestServer;
before(async () => {
  server = await startServer({ now, config: { limits: {} } });
  for (const phone of Object.values(OWNERS)) await server.store.users.create({ phone, phoneVerified: true, name: 'Owner' });
});
after(async () => { await server.close(); });

interface Normalized { step: string; status: number; body: string; cookies: string[]; location?: string }

/** Records every response of one walk (following redirects on the server hop by hop). */
class Walk {
  readonly pages: Array<[string, Page]> = [];
  readonly browser: Browser;
  constructor(readonly phone: string, browser?: Browser) { this.browser = browser ?? new Browser(server.url); }

  async go(step: string, url: string, init: Parameters<Browser['request']>[1] = {}): Promise<Page> {
    let page = await this.browser.request(url, init);
    this.pages.push([step, page]);
    for (let hop = 1; page.location && new URL(page.location).origin === server.url && hop < 10; hop += 1) {
      page = await this.browser.request(page.location);
      this.pages.push([`${step} → redirect ${hop}`, page]);
    }
    return page;
  }

  post(step: string, page: Page, contains: string, form: Record<string, string>): Promise<Page> {
    return this.go(step, formAction(page.html, contains), { form: { csrf: csrfOf(page.html), ...form } });
  }

  /** Every page of the walk with what differs between two walks taken out. */
  normalized(): Normalized[] {
    const secrets = new Set<string>();
    for (const [, page] of this.pages) {
      for (const m of `${page.url} ${page.location ?? ''} ${page.html}`.matchAll(/\/(?:interaction|auth)\/([A-Za-z0-9_-]{10,})/g)) secrets.add(m[1]!);
      for (const m of page.html.matchAll(/name="(?:csrf|xsrf)" value="([^"]+)"/g)) secrets.add(m[1]!);
    }
    const clean = (text: string) => {
      let out = text;
      for (const s of secrets) out = out.replaceAll(s, 'TOKEN');
      return blankPhone(out, this.phone)
        .replace(/data-resend-at="[^"]+"/g, 'data-resend-at').replace(/\d+ (seconds?|minutes?|hours?)/g, 'N $1');
    };
    return this.pages.map(([step, page]) => ({
      step, status: page.status, body: clean(page.html),
      cookies: page.headers.getSetCookie().map((c) => c.split('=')[0]!).sort(),
      ...(page.location ? { location: clean(page.location) } : {}),
    }));
  }
}

/** The SMS each walk caused: how many and of which usage (never the number itself). */
async function smsSince(before: number, phone: string): Promise<string[]> {
  return (await outboxLinesOf(server)).slice(before).map((l) => `${l.to === phone ? 'PHONE' : l.to} ${l.usage}`);
}

/** Runs `walk` for both numbers (the cooldown passed between them) and diffs what they saw and were sent. */
async function diff(name: string, walk: (w: Walk) => Promise<void>, expectCodePage = true, browsers?: Map<string, Browser>): Promise<Normalized[]> {
  const seen: Normalized[][] = [];
  const sms: string[][] = [];
  for (const phone of [REGISTERED, UNREGISTERED]) {
    if (!browsers) clock += 61_000;
    const before = (await outboxLinesOf(server)).length;
    const w = new Walk(phone, browsers?.get(phone));
    await walk(w);
    seen.push(w.normalized());
    sms.push(await smsSince(before, phone));
  }
  const [registered, unregistered] = seen as [Normalized[], Normalized[]];
  assert.ok(registered.length >= 1, `${name}: the walk recorded its steps`);
  assert.deepEqual(unregistered.map((p) => p.step), registered.map((p) => p.step), `${name}: the same steps`);
  for (const [i, page] of registered.entries()) assert.deepEqual(unregistered[i], page, `${name}, ${page.step}: the same answer`);
  assert.deepEqual(sms[1], sms[0], `${name}: the same SMS`);
  if (expectCodePage) assert.match(registered.at(-1)!.body, /autocomplete="one-time-code"/, `${name}: the walk ends on the code page`);
  return registered;
}

async function signIn(w: Walk, how: 'choose-after' | 'sms' | 'password') {
  const phonePage = await w.go('authorization request', authUrl(server));
  if (how === 'choose-after') {
    const choose = await w.post('phone (no way chosen)', phonePage, '/steps/', { phone: w.phone });
    await w.post('choose SMS', choose, '/choose', { step: 'sms' });
  } else {
    await w.post(`phone, then ${how}`, phonePage, '/steps/', { phone: w.phone, then: how });
  }
}

async function register(w: Walk) {
  const phonePage = await w.go('authorization request, prompt=create', authUrl(server, { prompt: 'create' }));
  await w.post('phone', phonePage, '/steps/', { phone: w.phone, then: 'sms' });
}

async function reset(w: Walk) {
  const phonePage = await w.go('authorization request', authUrl(server));
  const resetPage = await w.post('"Forgot your password?"', phonePage, '/flow/reset-credentials', {});
  await w.post('phone', resetPage, '/steps/', { phone: w.phone, then: 'sms' });
}

/** Each walk's owner signs in and re-authenticates (first, so both then type their new number at the same time). */
async function toNewNumberPages(): Promise<{ browsers: Map<string, Browser>; walk: (w: Walk) => Promise<void> }> {
  clock += 61_000;
  const signedIn = [];
  for (const owner of Object.values(OWNERS)) signedIn.push(await signInToAccount(server, owner));
  clock += 61_000; // the owners' own cooldown, before the re-authentication code
  const browsers = new Map<string, Browser>();
  const pages = new Map<Browser, Page>();
  for (const [i, phone] of [REGISTERED, UNREGISTERED].entries()) {
    const { browser, account } = signedIn[i]!;
    const numberPage = await proveByCode(server, browser, await startChange(browser, account), OWNERS[phone]!);
    assert.match(numberPage.html, /Your new phone number/);
    browsers.set(phone, browser);
    pages.set(browser, numberPage);
  }
  return { browsers, walk: async (w) => { await w.post('new number', pages.get(w.browser)!, '/steps/', { phone: w.phone }); } };
}

/** One wrong password in a fresh interaction (codes and passwords count together). */
async function wrongPassword(phone: string, i: number) {
  const w = new Walk(phone);
  const page = await w.go('auth', authUrl(server));
  const pw = await w.post('phone', page, '/steps/', { phone, then: 'password' });
  await w.post('password', pw, '/steps/', { password: `not-the-password-${i}` });
}

/** Both numbers: 10 failures (locked for a minute), then a minute later the 11th (locked for 5 minutes). */
async function lockOutBoth() {
  for (let i = 0; i < 10; i += 1) for (const phone of [REGISTERED, UNREGISTERED]) await wrongPassword(phone, i);
  clock += 61_000;
  for (const phone of [REGISTERED, UNREGISTERED]) {
    await wrongPassword(phone, 10);
    const { failures } = await server.store.guard.failures([`proof:phone:${phone}`]);
    assert.equal(failures, 11, `${phone}: 11 failures`);
  }
}

test('rule 11: sign-in answers registered and unregistered numbers alike at every step up to the code page', { timeout: 60_000 }, async () => {
  await diff('sign-in (SMS chosen with the number)', (w) => signIn(w, 'sms'));
  await diff('sign-in (SMS chosen after the number)', (w) => signIn(w, 'choose-after'));
  const pw = await diff('sign-in (password chosen)', (w) => signIn(w, 'password'), false);
  assert.match(pw.at(-1)!.body, /autocomplete="current-password"/);
});

test('rule 11: registration answers registered and unregistered numbers alike up to the code page', { timeout: 60_000 }, async () => {
  await diff('register', register);
});

test('rule 11: reset answers registered and unregistered numbers alike up to the code page', { timeout: 60_000 }, async () => {
  await diff('reset', reset);
});

test('rule 11: phone change answers a number of another account and a free one alike up to the code page', { timeout: 60_000 }, async () => {
  const { browsers, walk } = await toNewNumberPages();
  await diff('phone change', walk, true, browsers);
});

test('rule 11: while locked out, sign-in, registration, reset and phone change answer both numbers alike', { timeout: 120_000 }, async () => {
  clock += 2 * 3_600_000; // fresh hourly sending windows
  await lockOutBoth();
  const LOCKED = /Too many failed attempts with this number/;
  // Locked for 5 minutes now; only preparing the phone changes moves the clock (2 × 61 s: the owners' own cooldown).
  const lockedDiff = async (name: string, walk: (w: Walk) => Promise<void>, browsers?: Map<string, Browser>) => {
    const seen: Normalized[][] = [];
    const sms: string[][] = [];
    for (const phone of [REGISTERED, UNREGISTERED]) {
      const before = (await outboxLinesOf(server)).length;
      const w = new Walk(phone, browsers?.get(phone));
      await walk(w);
      seen.push(w.normalized());
      sms.push(await smsSince(before, phone));
    }
    assert.match(seen[0]!.at(-1)!.body, LOCKED, `${name}: the registered number is locked`);
    assert.deepEqual(seen[1], seen[0], `${name}: the same answers while locked`);
    assert.deepEqual(sms[1], sms[0], `${name}: the same SMS`);
    assert.ok(!sms[0]!.some((l) => l.startsWith('PHONE')), `${name}: no code to a locked number`);
  };
  await lockedDiff('sign-in (SMS)', (w) => signIn(w, 'sms'));
  await lockedDiff('sign-in (password)', async (w) => {
    const page = await w.go('authorization request', authUrl(server));
    const pw = await w.post('phone, then password', page, '/steps/', { phone: w.phone, then: 'password' });
    await w.post('the password', pw, '/steps/', { password: 'quartz-lantern-meadow' });
  });
  await lockedDiff('register', register);
  await lockedDiff('reset', reset);
  const { browsers, walk } = await toNewNumberPages();
  await lockedDiff('phone change', walk, browsers);
});
