// SECURITY.md rule 6 against parallel and spread-out attacks: parallel guesses cannot outrun the
// lockout (each is counted before it is checked), one interaction cannot spray many numbers or
// reset its count with "Use a different number", one IP only fails so often an hour, an IPv6
// client counts by its /64, and the choice before any SMS cannot be skipped by posting to a step.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPasswordHasher } from '../../src/authenticators/password/hasher.ts';
import { ipKey } from '../../src/guard/index.ts';
import { freshPhoneSubmit, post, uidOf } from '../helpers/attack.ts';
import { Browser, csrfOf } from '../helpers/browser.ts';
import { authUrl } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, LOOSE_LIMITS, startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'ember-violet-harbour';
const LOCKED = /Too many failed attempts with this number/;
let server: TestServer;
before(async () => {
  // Default guessing limits; sending loose (not under test here); X-Forwarded-For trusted, so one
  // load client can play many clients.
  server = await startServer({ config: { trustProxy: true, limits: { sms: LOOSE_LIMITS.sms } } });
});
after(async () => { await server.close(); });

async function userWithPassword(phone: string): Promise<void> {
  await server.store.users.create({ phone, phoneVerified: true, passwordHash: await createPasswordHasher().hash(PASSWORD) });
}

test('rule 6: 60 parallel password guesses from 60 IPs check at most 10; the right one among them is refused', { timeout: 60_000 }, async () => {
  const phone = '+12025550161';
  await userWithPassword(phone);
  const pages = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    freshPhoneSubmit(server, phone, { then: 'password', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })));
  const answers = await Promise.all(pages.map(({ browser, page }, i) =>
    post(browser, page, '/steps/', { password: i === 59 ? PASSWORD : `wrong-guess-${i}` }, { 'x-forwarded-for': `198.51.100.${i + 1}` })));
  const checked = answers.filter((a) => /password is not right|not right/i.test(a.html) && !LOCKED.test(a.html)).length;
  assert.ok(answers.filter((a) => a.location?.startsWith(CLIENT.redirect_uris[0]!)).length === 0, 'nobody signed in');
  assert.ok(checked <= 10, `${checked} guesses were checked`);
  assert.equal((await server.store.guard.failures([`proof:phone:${phone}`])).failures, 10, 'exactly 10 counted');
  assert.ok(answers.filter((a) => LOCKED.test(a.html)).length >= 50, 'the rest are told to wait');
});

test('rule 6: "Use a different number" does not reset an interaction\'s failures; one interaction cannot spray numbers', { timeout: 60_000 }, async () => {
  const browser = new Browser(server.url);
  const headers = { 'x-forwarded-for': '203.0.113.77' };
  let page = await browser.go(authUrl(server), { headers });
  const seen: boolean[] = [];
  for (let i = 0; i < 12; i += 1) {
    const pw = await post(browser, page, '/steps/', { phone: `+1202555${String(2000 + i)}`, then: 'password' }, headers);
    const answer = LOCKED.test(pw.html) ? pw : await post(browser, pw, '/steps/', { password: 'not-it-at-all' }, headers);
    seen.push(LOCKED.test(answer.html));
    page = await browser.go(`/interaction/${uidOf(answer)}/restart`, { form: { csrf: csrfOf(answer.html) }, headers });
  }
  assert.deepEqual(seen.map((locked, i) => (locked ? i + 1 : 0)).filter(Boolean)[0], 10, 'locked at the 10th failure of the interaction, over 10 different numbers');
});

test('rule 6: password spraying from one IP stops after 30 failures an hour, whatever the numbers', { timeout: 60_000 }, async () => {
  const headers = { 'x-forwarded-for': '192.0.2.200' };
  const locked: number[] = [];
  for (let i = 0; i < 35; i += 1) {
    const { browser, page } = await freshPhoneSubmit(server, `+1312555${String(1000 + i)}`, { then: 'password', headers });
    const answer = await post(browser, page, '/steps/', { password: 'spray-password-1' }, headers);
    if (LOCKED.test(answer.html)) locked.push(i + 1);
  }
  assert.equal(locked[0], 31, 'the 31st failure from the IP is held back');
  const other = await freshPhoneSubmit(server, '+13125559999', { then: 'password', headers: { 'x-forwarded-for': '192.0.2.201' } });
  const otherIp = { 'x-forwarded-for': '192.0.2.201' };
  assert.doesNotMatch((await post(other.browser, other.page, '/steps/', { password: 'x-other-ip' }, otherIp)).html, LOCKED, 'another IP is not held back');
});

test('rule 7: an IPv6 client counts by its /64; IPv4-mapped addresses as IPv4', { timeout: 30_000 }, async () => {
  assert.equal(ipKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(ipKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(ipKey('2001:db8::5'), '2001:db8:0:0::/64');
  assert.equal(ipKey('::ffff:192.0.2.1'), '192.0.2.1');
  const pump = await startServer({ config: { trustProxy: true, limits: {} } });
  try {
    for (let i = 0; i < 30; i += 1) {
      // 30 prefixes apart, so only the per-IP cap can hold them.
      await freshPhoneSubmit(pump, `+1${202 + i}5550123`, { headers: { 'x-forwarded-for': `2001:db8:7:7:${i.toString(16)}::1` } });
    }
    assert.equal((await outboxLinesOf(pump)).length, 20, '20 an hour for the whole /64');
  } finally {
    await pump.close();
  }
});

test('no SMS before the choice: posting straight to the SMS step (resend) sends nothing', { timeout: 30_000 }, async () => {
  const browser = new Browser(server.url);
  const phonePage = await browser.go(authUrl(server));
  const choose = await post(browser, phonePage, '/steps/', { phone: '+12025550188' });
  assert.match(choose.html, /How do you want to sign in\?/);
  const before = (await outboxLinesOf(server)).length;
  const forced = await browser.go(`/interaction/${uidOf(choose)}/steps/sms`, { form: { csrf: csrfOf(choose.html), resend: '1' } });
  assert.match(forced.html, /How do you want to sign in\?/, 'back to the choice');
  assert.equal((await outboxLinesOf(server)).length, before, 'no SMS');
});
