// Rule 12 (session fixation): the session id after a sign-in is never one chosen before it. A
// `_session` cookie planted by an attacker — made up, or a genuine anonymous session the attacker
// obtained — is replaced at sign-in and never becomes signed in; a second sign-in rotates again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser } from '../helpers/browser.ts';
import { authUrl, submitCode, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => { server = await startServer(); });
after(async () => { await server.close(); });

const sessionOf = (browser: Browser) => browser.cookies.filter((c) => c.name === '_session' || c.name === '_session.sig');
const sessionId = (browser: Browser) => browser.cookies.find((c) => c.name === '_session')?.value;

async function signIn(browser: Browser, extra: Record<string, string> = {}) {
  const phone = await browser.go(authUrl(server, extra));
  assert.match(phone.html, /autocomplete="tel"/, `phone page: ${phone.status}`);
  const code = await submitPhone(browser, phone, REGISTERED);
  const back = await submitCode(browser, code, await lastCode(server, REGISTERED));
  assert.ok(back.location?.startsWith(CLIENT.redirect_uris[0]!), `signed in: ${back.status} ${back.location}`);
}

/** Whether `browser`'s cookies are a signed-in session: a silent authorization request gets a code. */
async function signedIn(browser: Browser): Promise<boolean> {
  const page = await browser.go(authUrl(server, { prompt: 'none' }));
  const params = new URL(page.location!).searchParams;
  if (params.get('error') === 'login_required') return false;
  assert.ok(params.get('code'), `prompt=none answered ${page.location}`);
  return true;
}

test('hostile: preset session cookie (fixation) — a genuine anonymous session planted by an attacker is replaced at sign-in and never signed in', { timeout: 30_000 }, async () => {
  const attacker = new Browser(server.url);
  await attacker.go(`${server.url}/session/end`); // any page that stores a session for an anonymous visitor
  const planted = sessionOf(attacker);
  assert.equal(planted.length, 2, 'the attacker holds a signed _session cookie');
  const plantedId = sessionId(attacker)!;
  assert.ok(await server.store.oidc.find('Session', plantedId), 'and the server knows that session');

  const victim = new Browser(server.url);
  victim.cookies.push(...planted.map((c) => ({ ...c })));
  await signIn(victim);
  assert.ok(sessionId(victim), 'the victim has a session');
  assert.notEqual(sessionId(victim), plantedId, 'the session id changed at sign-in');
  const old = await server.store.oidc.find('Session', plantedId);
  assert.ok(!old?.payload.accountId, 'the planted session id never carries the account');
  assert.equal(await signedIn(attacker), false, 'the attacker\'s cookies are not signed in');
  assert.equal(await signedIn(victim), true, 'the victim is');
});

test('a made-up _session cookie is not adopted', { timeout: 30_000 }, async () => {
  const victim = new Browser(server.url);
  victim.cookies.push({ name: '_session', value: 'attacker-chosen-session-id-0123456789abc', path: '/' });
  await signIn(victim);
  assert.notEqual(sessionId(victim), 'attacker-chosen-session-id-0123456789abc');
  assert.equal(await server.store.oidc.find('Session', 'attacker-chosen-session-id-0123456789abc'), undefined);
});

test('rule 12: the session id rotates at every authentication (prompt=login again)', { timeout: 30_000 }, async () => {
  const browser = new Browser(server.url);
  await signIn(browser);
  const first = sessionId(browser);
  await signIn(browser, { prompt: 'login' });
  assert.ok(sessionId(browser));
  assert.notEqual(sessionId(browser), first, 'a new id after the second authentication');
  assert.equal(await server.store.oidc.find('Session', first!), undefined, 'the old id is gone from the store');
  assert.equal(await signedIn(browser), true);
});
