// Rule 12 (cookies): every cookie is HttpOnly and SameSite=Lax; Secure whenever the issuer is
// https, whatever the request says (plain HTTP, no X-Forwarded-Proto, trustProxy on), and only
// then; interaction cookies are scoped to their interaction's path.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, csrfOf, formAction, type Page } from '../helpers/browser.ts';
import { authUrl, submitPhone } from '../helpers/login.ts';
import { lastCode } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const HTTPS_ISSUER = 'https://id.example.test';

let tls: TestServer;
let plain: TestServer;
before(async () => {
  tls = await startServer({ issuer: HTTPS_ISSUER, config: { trustProxy: true } });
  plain = await startServer();
});
after(async () => { await tls.close(); await plain.close(); });

interface SetCookie { name: string; attrs: Map<string, string> }

function setCookies(page: Page): SetCookie[] {
  return page.headers.getSetCookie().map((line) => {
    const [pair, ...rest] = line.split(';');
    const attrs = new Map(rest.map((a) => {
      const [k, ...v] = a.trim().split('=');
      return [k!.toLowerCase(), v.join('=')] as [string, string];
    }));
    return { name: pair!.split('=')[0]!.trim(), attrs };
  });
}

/** Signs in on `server` through plain HTTP (the issuer may say https) and returns every Set-Cookie on the way. */
async function cookiesOfASignIn(server: TestServer): Promise<{ cookies: SetCookie[]; uid: string }> {
  const browser = new Browser(server.url);
  const onServer = (url: string) => { const u = new URL(url, server.url); return `${server.url}${u.pathname}${u.search}`; };
  const cookies: SetCookie[] = [];
  let page = await browser.request(authUrl(server));
  cookies.push(...setCookies(page));
  const uid = /\/interaction\/([^/?]+)/.exec(page.location ?? '')![1]!;
  page = await browser.request(onServer(page.location!));
  page = await submitPhone(browser, page, REGISTERED);
  page = await browser.request(formAction(page.html, '/steps/'), { form: { csrf: csrfOf(page.html), code: await lastCode(server, REGISTERED) } });
  cookies.push(...setCookies(page));
  assert.ok(page.location?.includes(`/auth/${uid}`), `resume redirect: ${page.status} ${page.location}`);
  page = await browser.request(onServer(page.location!));
  cookies.push(...setCookies(page));
  assert.ok(page.location?.includes('code='), `back at the app: ${page.status} ${page.location}`);
  page = await browser.request(`${server.url}/session/end`);
  cookies.push(...setCookies(page));
  return { cookies, uid };
}

function assertFlags(cookies: SetCookie[], uid: string, secure: boolean) {
  const names = new Set(cookies.map((c) => c.name));
  for (const name of ['_interaction', '_interaction_resume', '_session']) assert.ok(names.has(name), `${name} was set (have ${[...names].join(', ')})`);
  for (const c of cookies) {
    assert.ok(c.attrs.has('httponly'), `${c.name} is HttpOnly`);
    assert.equal(c.attrs.get('samesite')?.toLowerCase(), 'lax', `${c.name} is SameSite=Lax`);
    assert.equal(c.attrs.has('secure'), secure, `${c.name} ${secure ? 'is' : 'is not'} Secure`);
    assert.ok(!c.attrs.has('domain'), `${c.name} is a host-only cookie`);
    if (c.name.startsWith('_interaction_resume')) assert.equal(c.attrs.get('path'), `/auth/${uid}`, `${c.name} is scoped to its resume path`);
    else if (c.name.startsWith('_interaction')) assert.equal(c.attrs.get('path'), `/interaction/${uid}`, `${c.name} is scoped to its interaction`);
    else assert.equal(c.attrs.get('path'), '/', `${c.name} path`);
  }
}

test('rule 12: with an https issuer every cookie is Secure, HttpOnly and SameSite=Lax even over plain HTTP without X-Forwarded-Proto', { timeout: 30_000 }, async () => {
  const { cookies, uid } = await cookiesOfASignIn(tls);
  assertFlags(cookies, uid, true);
});

test('with an http issuer cookies are HttpOnly and SameSite=Lax, not Secure', { timeout: 30_000 }, async () => {
  const { cookies, uid } = await cookiesOfASignIn(plain);
  assertFlags(cookies, uid, false);
});
