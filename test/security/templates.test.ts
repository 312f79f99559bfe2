// SECURITY.md rules 22 and 24 and the template and framing hostile inputs: SMS templates are
// plain text from whitelisted variables, checked once at load (start-up) with a clear error, by
// the same schemas whichever file they come from; pages always escape and cannot be framed.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { flowJsonSchemaText } from '../../src/flows/json-schema.ts';
import { loadFlowText } from '../../src/flows/loader.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';
import { MAX_TEMPLATE_LENGTH } from '../../src/sms/template.ts';
import { signInToAccount } from '../helpers/account.ts';
import { Browser } from '../helpers/browser.ts';
import { authUrl, toCodePage } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const APP = 'Acme & Co <b>Shop</b>';
const SIGN_IN = readFileSync('flows/sign-in.yaml', 'utf8');
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

let server: TestServer;
before(async () => { server = await startServer({ config: { appName: APP } }); });
after(async () => { await server.close(); });

/** The shipped flows with the sign-in step's English template replaced by `source`. */
function flowsWithTemplate(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-tpl-'));
  dirs.push(dir);
  cpSync('flows', dir, { recursive: true });
  const changed = SIGN_IN.replace(/^(\s+en: ).*$/m, `$1${JSON.stringify(source)}`);
  assert.notEqual(changed, SIGN_IN);
  writeFileSync(join(dir, 'sign-in.yaml'), changed);
  return dir;
}

/** A template refused wherever it is written: a flow file at start-up, the config file's sms.templates, a flow text. */
async function refusedEverywhere(source: string, message: RegExp) {
  await assert.rejects(startServer({ config: { flowsDir: flowsWithTemplate(source) } }), (err: Error) => {
    assert.match(err.message, /sign-in\.yaml: step 'sms', field config\.templates\.en: template /);
    assert.match(err.message, message);
    return true;
  }, 'a flow file is refused at start-up, naming file, step and field');
  assert.throws(() => parseConfig({ sms: { templates: { 'sign-in': { en: source } } } }, 'flowgate.yaml'), (err: Error) => {
    assert.match(err.message, /flowgate\.yaml: sms\.templates\.sign-in\.en: template /);
    assert.match(err.message, message);
    return true;
  }, 'the config file is refused too');
}

test('rule 22: SMS are rendered without HTML escaping from the variables, pages escape the same value', { timeout: 30_000 }, async () => {
  const { page, code } = await toCodePage(server, REGISTERED);
  const right = await code();
  const sms = (await outboxLinesOf(server)).filter((l) => l.to === REGISTERED).at(-1)!;
  assert.equal(sms.body, `${right} is your ${APP} sign-in code. It expires in 5 minutes.\n\n@127.0.0.1 #${right}`);
  assert.ok(!page.html.includes(APP), 'the page never shows the raw value');
  assert.ok(page.html.includes('Acme &amp; Co &lt;b&gt;Shop&lt;/b&gt;'), 'the page shows it escaped');
});

test("hostile: template {{constructor.constructor('return process')()}} — refused at load, never run", { timeout: 30_000 }, async () => {
  await refusedEverywhere("{{code}} {{constructor.constructor('return process')()}}", /does not compile: Parse error/);
  await refusedEverywhere('{{code}} {{constructor.constructor "return process"}}', /unknown variable or expression 'constructor\.constructor'/);
  await refusedEverywhere('{{code}} {{constructor}}', /unknown variable or expression 'constructor'/);
  await refusedEverywhere('{{code}} {{lookup this "constructor"}}', /unknown variable or expression 'lookup'/);
  await refusedEverywhere('{{code}} {{#with this}}{{constructor}}{{/with}}', /'BlockStatement' is not allowed/);
});

test('hostile: template {{{code}}} — triple braces are refused at load', { timeout: 30_000 }, async () => {
  await refusedEverywhere('{{{code}}} is your code', /use \{\{code\}\}, not triple braces/);
  await refusedEverywhere('{{&code}} is your code', /use \{\{code\}\}, not triple braces/);
});

test('hostile: template oversized — a template over the cap is refused at load', { timeout: 30_000 }, async () => {
  await refusedEverywhere(`{{code}} ${'x'.repeat(MAX_TEMPLATE_LENGTH)}`, new RegExp(`longer than ${MAX_TEMPLATE_LENGTH} characters`));
  assert.ok(MAX_TEMPLATE_LENGTH <= 480, `the cap is ${MAX_TEMPLATE_LENGTH}`);
});

test('rule 24: config and flow files go through the same schemas (the admin API, a later issue, will too); flow.schema.json is generated from them', { timeout: 30_000 }, () => {
  const registry = builtinAuthenticators();
  // A step config is checked by its authenticator's schema whatever file it comes from.
  for (const [config, field] of [['{ codeLength: 5 }', 'codeLength'], ['{ ttlSeconds: 601 }', 'ttlSeconds'], ['{ templates: { en: "{{nope}}" } }', 'templates.en'], ['{ unknownKey: 1 }', '']] as const) {
    assert.throws(() => loadFlowText('flows/x.yaml', `id: x\nsteps:\n  - { id: i, authenticator: identify-phone, requirement: REQUIRED }\n  - { id: s, authenticator: sms-otp, requirement: REQUIRED, config: ${config} }\n`, registry),
      new RegExp(`flows/x\\.yaml: step 's', field config${field ? `\\.${field.replace('.', '\\.')}` : ''}`), config);
  }
  // The same template rule in the config file as in a step.
  assert.throws(() => parseConfig({ sms: { templates: { reset: { en: '{{nope}} {{code}}' } } } }, 'c.yaml'), /c\.yaml: sms\.templates\.reset\.en: template unknown variable or expression 'nope'/);
  assert.throws(() => parseConfig({ limits: { sms: { cooldownSeconds: -1 } } }, 'c.yaml'), /c\.yaml: limits\.sms\.cooldownSeconds/);
  assert.throws(() => parseConfig({ clients: [{ client_id: 'x', redirect_uris: ['https://a.example/cb'], client_secret: 'short' }] }, 'c.yaml'), /c\.yaml: clients\.0\.client_secret/);
  // The published file format is generated from the same zod schemas, so an editor checks what start-up checks.
  assert.equal(readFileSync('flows/flow.schema.json', 'utf8'), flowJsonSchemaText(registry));
  const smsOtp = JSON.parse(readFileSync('flows/flow.schema.json', 'utf8')).$defs['config.sms-otp'].properties;
  assert.deepEqual([smsOtp.codeLength.minimum, smsOtp.ttlSeconds.maximum], [6, 600]);
});

test('hostile: login page in a cross-origin iframe — every page forbids framing (CSP frame-ancestors and X-Frame-Options)', { timeout: 30_000 }, async () => {
  const framed = { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', referer: 'https://evil.example/frame.html' };
  const pages = [];
  const browser = new Browser(server.url);
  let page = await browser.request(authUrl(server), { headers: framed });
  pages.push(['/auth', page] as const);
  page = await browser.request(page.location!, { headers: framed });
  pages.push(['phone page', page] as const);
  assert.match(page.html, /autocomplete="tel"/);
  pages.push(['code page', (await toCodePage(server, REGISTERED)).page] as const);
  const { browser: signedIn } = await signInToAccount(server, REGISTERED);
  pages.push(['account page', await signedIn.request('/account', { headers: framed })] as const);
  pages.push(['logout page', await signedIn.request('/session/end', { headers: framed })] as const);
  pages.push(['error page', await browser.request('/interaction/nope', { headers: framed })] as const);
  for (const [what, p] of pages) {
    assert.match(p.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
    assert.equal(p.headers.get('x-frame-options'), 'DENY', what);
  }
});
