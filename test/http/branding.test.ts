// Branding (issue 9): a `branding:` config puts the logo, colours and product name on every page a
// person can reach; the brand's stylesheet and images are served with the right types; a
// `viewsDir` override replaces one page while the others stay built in; bad brands stop the start.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Browser, type Page } from '../helpers/browser.ts';
import { openPhonePage, submitCode, submitPhone, toCodePage } from '../helpers/login.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#0b7a75"/></svg>\n';
const FAVICON_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PRODUCT = 'Acme & Co';

const dirs: string[] = [];
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A config directory holding the brand files (and whatever else a test writes into it). */
function configDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-brand-'));
  dirs.push(dir);
  const all = { 'brand/logo.svg': LOGO_SVG, 'brand/favicon.png': FAVICON_PNG, ...files };
  for (const [name, body] of Object.entries(all)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

async function start(config: Record<string, unknown>, dir = configDir()): Promise<TestServer> {
  const server = await startServer({ config, configDir: dir });
  servers.push(server);
  return server;
}

const BRANDING = { logo: './brand/logo.svg', favicon: 'brand/favicon.png', primaryColor: '#0B7A75', backgroundColor: '#e6f2f1' };

/** An attribute's value as the browser reads it (handlebars escapes &, <, >, ", ', `, =). */
const unescape = (v: string | undefined) => v?.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

function brandOf(page: Page) {
  const img = /<img class="brand-logo" src="([^"]+)" alt="([^"]*)">/.exec(page.html);
  return {
    logoSrc: img?.[1], logoAlt: img?.[2],
    name: /<span class="brand-name"[^>]*>([^<]*)<\/span>/.exec(page.html)?.[1],
    stylesheet: /<link rel="stylesheet" href="(\/assets\/brand-[0-9a-f]+\.css)">/.exec(page.html)?.[1],
    favicon: /<link rel="icon" href="([^"]+)"/.exec(page.html)?.[1],
  };
}

/** Every page a person can reach, by name: sign-in steps, errors, 404, sign-out, logged out. */
async function walk(server: TestServer): Promise<Array<[string, Page]>> {
  const pages: Array<[string, Page]> = [];
  const browser = new Browser(server.url);
  pages.push(['home', await browser.go(`${server.url}/`)]);
  const { page: codePage, browser: signIn, code } = await toCodePage(server, REGISTERED);
  pages.push(['code page', codePage]);
  const back = await submitCode(signIn, codePage, await code());
  assert.match(back.location ?? '', /^https:\/\/app\.example\.com\/callback\?code=/, 'signed in (the sign-out page needs a session)');
  pages.push(['phone page', (await openPhonePage(server)).page]);
  pages.push(['error page (unknown client)', await browser.go(`${server.url}/auth?client_id=nobody&response_type=code&scope=openid`)]);
  pages.push(['error page (unknown interaction)', await browser.go(`${server.url}/interaction/unknown`)]);
  pages.push(['404 page', await browser.go(`${server.url}/no-such-page`)]);
  const logout = await signIn.go(`${server.url}/session/end`);
  pages.push(['sign-out confirmation', logout]);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.html)?.[1];
  assert.ok(xsrf, 'the sign-out form carries its xsrf token');
  pages.push(['logged-out page', await signIn.go(`${server.url}/session/end/confirm`, { form: { xsrf, logout: 'yes' } })]);
  return pages;
}

test('a branding config changes logo, colours and product name on every page a person can reach', { timeout: 60_000 }, async () => {
  const server = await start({ appName: PRODUCT, branding: BRANDING });
  const pages = await walk(server);
  const seen = new Set<string>();
  for (const [what, page] of pages) {
    assert.match(page.html, /<h1>/, `${what} (${page.status}) is one of our pages`);
    const brand = brandOf(page);
    assert.match(brand.logoSrc ?? '', /^\/assets\/brand\/logo-[0-9a-f]{12}\.svg$/, `${what}: the logo`);
    assert.equal(brand.logoAlt, 'Acme &amp; Co', `${what}: the logo's alt text is the product name, escaped`);
    assert.equal(brand.name, 'Acme &amp; Co', `${what}: the product name beside the logo`);
    assert.ok(brand.stylesheet, `${what}: the brand stylesheet is linked`);
    assert.match(brand.favicon ?? '', /^\/assets\/brand\/favicon-[0-9a-f]{12}\.png$/, `${what}: the favicon`);
    assert.ok(!page.html.includes('Acme & Co'), `${what}: the name is never written unescaped`);
    seen.add(`${brand.logoSrc} ${brand.stylesheet} ${brand.favicon}`);
  }
  assert.equal(seen.size, 1, 'every page links the same brand files');
  const sample = brandOf(pages[0]![1]);

  const css = await fetch(`${server.url}${sample.stylesheet}`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  assert.match(css.headers.get('cache-control') ?? '', /immutable/);
  const text = await css.text();
  assert.match(text, /--color-primary:#0b7a75/, 'the primary colour, as configured');
  assert.match(text, /--color-bg:#e6f2f1/, 'the background colour');

  const logo = await fetch(`${server.url}${sample.logoSrc}`);
  assert.equal(logo.status, 200);
  assert.match(logo.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  assert.equal(await logo.text(), LOGO_SVG);
  assert.match(logo.headers.get('content-security-policy') ?? '', /sandbox/, 'an SVG opened on its own runs nothing');

  const icon = await fetch(`${server.url}${sample.favicon}`);
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await icon.arrayBuffer()), FAVICON_PNG);
  const legacy = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
  assert.equal(legacy.headers.get('location'), sample.favicon, '/favicon.ico leads to the brand favicon');

  // Files are served by flowgate, so the CSP allows no other image origin.
  assert.match(pages[0]![1].headers.get('content-security-policy') ?? '', /img-src 'self' data:;/);
});

test('without branding the pages show the product name, the flowgate favicon and the built-in colours', { timeout: 30_000 }, async () => {
  const server = await start({});
  const home = await new Browser(server.url).go(`${server.url}/`);
  const brand = brandOf(home);
  assert.equal(brand.logoSrc, undefined, 'no logo');
  assert.equal(brand.name, 'flowgate');
  assert.equal(brand.stylesheet, undefined, 'app.css only');
  assert.equal(brand.favicon, '/assets/favicon.svg');
  const icon = await fetch(`${server.url}/assets/favicon.svg`);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
});

test('a logo URL is shown from its address, which the CSP allows exactly; showName: false leaves the logo alone', { timeout: 30_000 }, async () => {
  const server = await start({ appName: 'Acme', branding: { logo: 'https://cdn.example.com/brand/logo.svg?v=2', showName: false } });
  const home = await new Browser(server.url).go(`${server.url}/`);
  const brand = brandOf(home);
  assert.equal(unescape(brand.logoSrc), 'https://cdn.example.com/brand/logo.svg?v=2');
  assert.equal(brand.logoAlt, 'Acme');
  assert.equal(brand.name, undefined, 'no product name beside a logo that spells it');
  const imgSrc = /img-src ([^;]*)/.exec(home.headers.get('content-security-policy') ?? '')?.[1];
  assert.equal(imgSrc, "'self' data: https://cdn.example.com/brand/logo.svg", 'that one image, not the whole host');
});

test('a viewsDir override replaces one page; the others stay built in', { timeout: 60_000 }, async () => {
  const builtInPhone = readFileSync(join(import.meta.dirname, '..', '..', 'views', 'interaction', 'phone.hbs'), 'utf8');
  const dir = configDir({
    'my-views/interaction/phone.hbs': `<p id="custom-intro">Welcome to {{appName}}: sign in with the phone on your contract.</p>\n${builtInPhone}`,
  });
  const server = await start({ appName: 'Acme', viewsDir: './my-views', branding: BRANDING }, dir);
  const { browser, page } = await openPhonePage(server);
  assert.match(page.html, /<p id="custom-intro">Welcome to Acme: sign in with the phone on your contract\.<\/p>/, 'the override draws the phone page');
  assert.equal(brandOf(page).logoAlt, 'Acme', 'inside the built-in layout, brand included');
  const code = await submitPhone(browser, page, REGISTERED);
  assert.match(code.html, /autocomplete="one-time-code"/, 'the overridden page still signs in: the built-in code page follows');
  assert.ok(!code.html.includes('custom-intro'));
  const home = await new Browser(server.url).go(`${server.url}/`);
  assert.equal(home.status, 200);
  assert.ok(!home.html.includes('custom-intro'), 'home stays built in');
});

async function refusal(config: Record<string, unknown>, files: Record<string, string | Buffer> = {}, issuer?: string): Promise<string> {
  const dir = configDir(files);
  try {
    const server = await startServer({ config, configDir: dir, ...(issuer ? { issuer } : {}) });
    servers.push(server);
  } catch (err) {
    assert.equal((err as Error).name, 'ConfigError', `a ConfigError, not ${(err as Error).stack}`);
    return (err as Error).message;
  }
  assert.fail(`started with ${JSON.stringify(config)}`);
}

test('start-up refuses a brand that would make pages unreadable or a file that is not what it says', { timeout: 60_000 }, async () => {
  assert.match(await refusal({ branding: { primaryColor: '#7fb3ff' } }),
    /branding\.primaryColor: white button text on #7fb3ff has a contrast ratio of 2\.\d\d:1, below the 4\.5:1 minimum/);
  assert.match(await refusal({ branding: { primaryColor: '#777777' } }), /branding\.primaryColor: .*4\.47:1, below the 4\.5:1 minimum/,
    'just under the line is refused, the ratio rounded down');
  assert.match(await refusal({ branding: { primaryColor: 'teal' } }), /branding\.primaryColor: a colour as #rrggbb/);
  assert.match(await refusal({ branding: { backgroundColor: '#fff' } }), /branding\.backgroundColor: a colour as #rrggbb/);
  assert.match(await refusal({ branding: { logo: './brand/missing.svg' } }), /branding\.logo: cannot read '\.\/brand\/missing\.svg'/);
  assert.match(await refusal({ branding: { logo: './brand/logo.gif' } }, { 'brand/logo.gif': 'GIF89a' }), /branding\.logo: '\.\/brand\/logo\.gif' must be one of \.svg, \.png/);
  assert.match(await refusal({ branding: { logo: './brand/logo.png' } }, { 'brand/logo.png': LOGO_SVG }), /branding\.logo: '\.\/brand\/logo\.png' is not a PNG file/);
  assert.match(await refusal({ branding: { favicon: './brand/big.png' } }, { 'brand/big.png': Buffer.concat([FAVICON_PNG, Buffer.alloc(300 * 1024)]) }),
    /branding\.favicon: '\.\/brand\/big\.png' is \d+ bytes; at most 262144/);
  assert.match(await refusal({ branding: { logo: 'javascript://x' } }), /branding\.logo: 'javascript:' URLs are not allowed/);
  assert.match(await refusal({ branding: { logo: 'http://cdn.example.com/logo.svg' } }, {}, 'https://id.example.com'),
    /branding\.logo: the issuer is https, so browsers block or upgrade an http image/);
  assert.match(await refusal({ branding: { colour: '#000000' } }), /branding\.colour: unknown key/);
});

test('start-up refuses a viewsDir file that matches no built-in view or does not compile, naming it', { timeout: 60_000 }, async () => {
  assert.match(await refusal({ viewsDir: 'v' }, { 'v/interaction/phon.hbs': '<h1>x</h1>' }),
    /viewsDir: 'interaction\/phon\.hbs' in .* matches no built-in view or partial \(a typo\?\); the built-in ones are .*interaction\/phone\.hbs/);
  assert.match(await refusal({ viewsDir: 'v' }, { 'v/home.html': '<h1>x</h1>' }), /viewsDir: 'home\.html' .* matches no built-in view/);
  assert.match(await refusal({ viewsDir: 'v' }, { 'v/partials/notice.hbs': '{{#if notice}}<p>' }), /viewsDir: 'partials\/notice\.hbs' in .* does not compile: Parse error/);
  assert.match(await refusal({ viewsDir: 'v' }, { 'v/layouts/main.hbs': '<main>{{body}}</main>' }), /viewsDir: 'layouts\/main\.hbs' .* must contain \{\{\{body\}\}\}/);
  assert.match(await refusal({ viewsDir: 'nowhere' }), /viewsDir: cannot read '.*nowhere'/);
});
