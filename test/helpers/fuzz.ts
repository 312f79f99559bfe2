// Property-based fuzzing of the hosted forms (fast-check): hostile values, bodies, CSRF tokens and
// headers; the properties every answer keeps (no 5xx, no stack trace or internal path, no
// unescaped reflection, a readable page or a JSON problem) and the seeded users' snapshot.
// FUZZ_SEED=<n> reproduces a run; FUZZ_RUNS=<n> changes the cases per form (default 1000).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import type { Browser, Page } from './browser.ts';
import { createPasswordHasher } from '../../src/authenticators/password/hasher.ts';
import { LOOSE_LIMITS, startServer, type TestServer } from './server.ts';

/** The string as it reaches the server (lone surrogates become U+FFFD, as URLSearchParams and fetch send them). */
export const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

export const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

/** The file's fixed seed, or FUZZ_SEED; printed so that a failure can be replayed. */
export function seedOf(file: string, fixed: number): number {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : fixed;
  console.log(`fuzz seed ${file}: ${seed} (FUZZ_SEED=${seed} to replay)`);
  return seed;
}

/** Loose limits (as startServer's default) with a global SMS budget that thousands of cases do not reach. */
export const FUZZ_LIMITS = {
  ...LOOSE_LIMITS,
  sms: { ...LOOSE_LIMITS.sms, global: { hour: 1_000_000, day: 1_000_000 } },
};

export const XSS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '<a href="javascript:alert(1)">x</a>',
];
const WEIRD = [
  ...XSS,
  '{{constructor.constructor(\'return process\')()}}', '{{{code}}}', '${7*7}', '../../../etc/passwd', '%00', '%0d%0a', '%ZZ',
  '\u0000', '\r\n', '\r\nSet-Cookie: x=1', '\u202E', '\u202D', '\u200B', '\u200D', '\uFEFF', '\u2028', '\uD800', '\uDFFF',
  '１２０２５５５０１００', '＋１ ２０２ ５５５ ０１００', '+1 202 555 0100', '+12025550100', '+12025550199', '2025550100', '00 1 202 555 0100',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'null', 'undefined', 'true', '[]', '{}', '0', '-1', '1e309', 'NaN',
  '123456', '000000', 'ABCDEF', 'allow', 'deny', 'yes', 'sms', 'password', 'register', 'reset-credentials', 'sign-in', '1',
];
const ATOMS = [...WEIRD, '<', '>', '"', '\'', '&', '=', '&amp;', '&lt;', '%', '+', ' ', '\t', '\n', '\\', '/', '０', '９', '٣', 'é', 'ß', '😀', '👩‍👩‍👧'];

/** Arbitrary strings: any unicode, hostile fragments glued together, full-width digits, payloads, up to 10 kB. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...ATOMS), fc.string({ maxLength: 6 })), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.constantFrom(...WEIRD) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...'０１２３４５６７８９＋－（） '), { maxLength: 20 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('1', 'x', '<script>', '\u202E', 'é', '😀'), fc.integer({ min: 1000, max: 10_000 }))
    .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n)) },
);

/** A field's value: mostly one string, sometimes a repeated key. */
export const fieldValue = (plausible: fc.Arbitrary<string> = hostileString): fc.Arbitrary<string | string[]> => fc.oneof(
  { weight: 8, arbitrary: fc.oneof(hostileString, plausible) },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileString, plausible), { minLength: 2, maxLength: 3 }) },
);

const headerChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789 ;,=-_*/.:<>"\'()[]{}%$!?+&#@'.split(''));
/** A header value fetch can send (visible ASCII). */
export const headerString = fc.oneof(fc.string({ unit: headerChars, maxLength: 60 }), fc.constantFrom('', '<script>alert(1)</script>', 'en', 'de-DE,de;q=0.9', '*'));

export type CsrfMode = 'valid' | 'missing' | 'empty' | 'garbage' | 'array' | 'truncated' | 'longer' | 'case' | 'other';
export const csrfMode = (validWeight = 3): fc.Arbitrary<CsrfMode> => fc.oneof(
  { weight: validWeight, arbitrary: fc.constant('valid' as const) },
  { weight: 4, arbitrary: fc.constantFrom<CsrfMode>('missing', 'empty', 'garbage', 'array', 'truncated', 'longer', 'case', 'other') },
);

export type Encoding = 'form' | 'json' | 'text' | 'multipart' | 'none' | 'broken' | 'charset' | 'gzip' | 'huge' | 'params';
export const encoding = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Encoding>('form') },
  { weight: 6, arbitrary: fc.constantFrom<Encoding>('json', 'text', 'multipart', 'none', 'broken', 'charset', 'gzip', 'huge', 'params') },
);

export interface FormCase {
  fields: Record<string, string | string[] | undefined>;
  extra: Record<string, string | string[]>;
  csrf: CsrfMode;
  encoding: Encoding;
  accept: string;
  acceptLanguage?: string;
  garbage: string;
}

const keyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'csrf[]', 'phone[]', 'phone[a]', 'code[0]', 'step', 'then', 'resend', 'skip', 'decision', 'xsrf', 'logout'));

/** A form case over the form's own fields (each may be missing, hostile or plausible), extra keys, a CSRF mode and a body encoding. */
export function formCase(fields: Record<string, fc.Arbitrary<string>>, opts: { validCsrf?: number } = {}): fc.Arbitrary<FormCase> {
  const record: Record<string, fc.Arbitrary<string | string[] | undefined>> = {};
  for (const [name, plausible] of Object.entries(fields)) record[name] = fc.option(fieldValue(plausible), { nil: undefined, freq: 6 });
  return fc.record({
    fields: fc.record(record),
    extra: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(keyArb, fieldValue(), { maxKeys: 3 }) }),
    csrf: csrfMode(opts.validCsrf ?? 3),
    encoding,
    accept: fc.oneof({ weight: 5, arbitrary: fc.constant('text/html') }, { weight: 2, arbitrary: fc.constantFrom('application/json', '*/*', '', 'text/plain', 'application/json, text/html;q=0.1') }, { weight: 1, arbitrary: headerString }),
    acceptLanguage: fc.option(headerString, { nil: undefined, freq: 3 }),
    garbage: hostileString,
  });
}

function csrfValue(mode: CsrfMode, valid: string | undefined): string | string[] | undefined {
  const v = valid ?? 'no-token-on-this-page';
  switch (mode) {
    case 'valid': return v;
    case 'missing': return undefined;
    case 'empty': return '';
    case 'garbage': return 'x'.repeat(v.length);
    case 'array': return [v, v];
    case 'truncated': return v.slice(0, -1);
    case 'longer': return `${v}A`;
    case 'case': return v.toUpperCase() === v ? v.toLowerCase() : v.toUpperCase();
    case 'other': return 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  }
}

export interface BuiltRequest { body: string; headers: Record<string, string>; inputs: string[] }

/** Builds the request body and headers of a case; `inputs` are the strings the server may echo. */
export function buildRequest(c: FormCase, csrf: string | undefined, csrfField = 'csrf'): BuiltRequest {
  const entries: Array<[string, string]> = [];
  const all: Record<string, string | string[] | undefined> = { [csrfField]: csrfValue(c.csrf, csrf), ...c.fields, ...c.extra };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) for (const item of [v].flat()) entries.push([k, item]);
  const inputs = entries.flatMap(([k, v]) => [k, v]).concat(c.garbage).map((s) => wellFormed(s));
  const headers: Record<string, string> = { accept: c.accept, ...(c.acceptLanguage !== undefined ? { 'accept-language': c.acceptLanguage } : {}) };
  if (c.acceptLanguage) inputs.push(c.acceptLanguage);
  const form = () => new URLSearchParams(entries).toString();
  switch (c.encoding) {
    case 'form':
      return { body: form(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, inputs };
    case 'json': {
      const obj: Record<string, unknown> = Object.fromEntries(entries);
      obj.nested = { $gt: '', [c.garbage]: [c.garbage, { a: 1 }] };
      return { body: JSON.stringify(obj), headers: { ...headers, 'content-type': 'application/json' }, inputs };
    }
    case 'text':
      return { body: form(), headers: { ...headers, 'content-type': 'text/plain' }, inputs };
    case 'multipart':
      return { body: `--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf ?? ''}\r\n--b--\r\n`, headers: { ...headers, 'content-type': 'multipart/form-data; boundary=b' }, inputs };
    case 'none':
      return { body: form(), headers, inputs };
    case 'broken':
      return { body: `${form()}&%%%&&&=&${encodeURIComponent(wellFormed(c.garbage)).slice(0, 7)}%E0%A4%A&=%`, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, inputs };
    case 'charset':
      return { body: form(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded; charset=utf-7' }, inputs };
    case 'gzip':
      return { body: form(), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }, inputs };
    case 'huge':
      return { body: `${form()}&pad=${'p'.repeat(20_000)}`, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, inputs };
    case 'params':
      return { body: `${form()}&${Array.from({ length: 30 }, (_, i) => `k${i}=v`).join('&')}`, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, inputs };
  }
}

const LEAKS: Array<[string, RegExp]> = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\]]+ \(|\bat (?:file|node):|\n\s+at \S/],
  ['internal path /work/', /\/work\//],
  ['node_modules', /node_modules/],
  ['Error:', /Error:/],
];

/** The properties every answer keeps. `allow` names answers a route may give besides HTML pages and JSON problems. */
export function checkAnswer(page: Page, inputs: string[], what: string, allow: { emptyStatuses?: number[]; text?: boolean } = {}): void {
  const where = `${what}: ${page.status} ${page.url}`;
  assert.ok(page.status < 500, `${where}: no 5xx\n${page.html.slice(0, 400)}`);
  for (const [name, leak] of LEAKS) {
    if (leak.test(page.html) && !inputs.some((i) => leak.test(i))) assert.fail(`${where}: ${name} in the body\n${page.html.slice(0, 800)}`);
  }
  for (const input of inputs) {
    const payloads = XSS.filter((x) => input.includes(x));
    if (input.length >= 6 && input.includes('<')) payloads.push(input);
    for (const p of payloads) assert.ok(!page.html.includes(p), `${where}: unescaped input ${JSON.stringify(p.slice(0, 80))} reflected`);
  }
  const type = page.headers.get('content-type') ?? '';
  if (page.status >= 300 && page.status < 400) {
    assert.ok(page.location, `${where}: a redirect has a Location`);
    return;
  }
  if (allow.emptyStatuses?.includes(page.status) && page.html === '') return;
  assert.ok(page.html.length > 0, `${where}: a body`);
  if (/application\/json/.test(type)) {
    const body = JSON.parse(page.html) as { error?: unknown };
    if (page.status >= 400) assert.equal(typeof body.error, 'string', `${where}: a JSON problem`);
  } else if (/text\/html/.test(type)) {
    assert.match(page.html, /<h1>[^<]+<\/h1>/, `${where}: a readable page`);
  } else {
    assert.ok(allow.text && /text\/plain/.test(type), `${where}: content type ${type}`);
  }
}

/** Counts answers per form and prints the note line. */
export class Tally {
  cases = 0;
  fiveXx = 0;
  interactions = 0;
  completed = 0;
  readonly statuses = new Map<number, number>();
  constructor(readonly form: string) {}
  count(page: Page): void {
    this.statuses.set(page.status, (this.statuses.get(page.status) ?? 0) + 1);
    if (page.status >= 500) this.fiveXx += 1;
  }
  print(): void {
    const statuses = [...this.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`fuzz ${this.form}: ${this.cases} cases, ${this.fiveXx} × 5xx (answers ${statuses}; ${this.interactions} interactions prepared, ${this.completed} flows completed)`);
  }
}

/**
 * Sends one case and follows same-origin redirects, checking every answer; returns the last page.
 * An off-origin redirect (back to the app) is returned as is.
 */
export async function sendCase(browser: Browser, url: string, req: BuiltRequest | { method: 'GET'; headers: Record<string, string>; inputs: string[] }, tally: Tally, what: string, allow?: Parameters<typeof checkAnswer>[3]): Promise<Page> {
  let page = 'body' in req
    ? await browser.request(url, { method: 'POST', body: req.body, headers: req.headers })
    : await browser.request(url, { method: 'GET', headers: req.headers });
  tally.count(page);
  checkAnswer(page, req.inputs, what, allow);
  for (let hops = 0; page.location && hops < 5 && new URL(page.location).origin === browser.origin; hops += 1) {
    page = await browser.request(page.location);
    tally.count(page);
    checkAnswer(page, req.inputs, `${what} (after redirect)`, allow);
  }
  return page;
}

export interface UserSnapshot { id: string; phone: string; name: string | null; email: string | null; passwordHash: string | null; phoneVerified: boolean }

export async function snapshotUsers(server: TestServer, phones: string[]): Promise<UserSnapshot[]> {
  return Promise.all(phones.map(async (phone) => {
    const u = await server.store.users.findByPhone(phone);
    assert.ok(u, `seeded user ${phone}`);
    return { id: u.id, phone: u.phone, name: u.name, email: u.email, passwordHash: u.passwordHash, phoneVerified: u.phoneVerified };
  }));
}

/** The seeded users are still there, unchanged. */
export async function assertUsersUnchanged(server: TestServer, before: UserSnapshot[]): Promise<void> {
  for (const u of before) {
    const now = await server.store.users.findById(u.id);
    assert.ok(now, `user ${u.phone} still exists`);
    assert.deepEqual({ id: now.id, phone: now.phone, name: now.name, email: now.email, passwordHash: now.passwordHash, phoneVerified: now.phoneVerified }, u, `user ${u.phone} unchanged`);
  }
}

/** fc.assert with the file's seed and the case count; the tally's line is printed either way. */
export async function fuzz<T>(tally: Tally, seed: number, arb: fc.Arbitrary<T>, run: (input: T) => Promise<void>, runs = RUNS): Promise<void> {
  try {
    await fc.assert(fc.asyncProperty(arb, async (input) => { tally.cases += 1; await run(input); }), { numRuns: runs, seed, endOnFailure: !process.env.FUZZ_SHRINK, includeErrorInReport: true });
  } finally {
    tally.print();
  }
}

export const escapeHtml = (s: string) => Handlebars.escapeExpression(s);

/** Where a form's cases go: a browser at the right step, the form's URL and its current token. */
export interface Target { browser: Browser; url: string; csrf: string | undefined; uid?: string }

/**
 * Fuzzes one form: prepares a target once, posts many cases into it, and prepares it again when
 * `next` says a case moved the interaction off the form (or ended it).
 */
export async function fuzzForm<T extends FormCase>(opts: {
  tally: Tally;
  seed: number;
  arb: fc.Arbitrary<T>;
  prepare: () => Promise<Target>;
  url?: (target: Target, c: T) => string;
  next: (target: Target, last: Page) => Promise<Target | undefined>;
  csrfField?: string;
  allow?: Parameters<typeof checkAnswer>[3];
  runs?: number;
  /** Prepares a fresh target after this many cases on one (e.g. a fresh code before the old one dies of wrong guesses). */
  casesPerTarget?: number;
}): Promise<void> {
  let target: Target | undefined;
  let used = 0;
  await fuzz(opts.tally, opts.seed, opts.arb, async (c) => {
    if (opts.casesPerTarget && used >= opts.casesPerTarget) target = undefined;
    if (!target) { target = await opts.prepare(); opts.tally.interactions += 1; used = 0; }
    used += 1;
    const req = buildRequest(c, target.csrf, opts.csrfField);
    const last = await sendCase(target.browser, opts.url ? opts.url(target, c) : target.url, req, opts.tally, opts.tally.form, opts.allow);
    if (last.location && new URL(last.location).origin !== target.browser.origin) opts.tally.completed += 1;
    target = await opts.next(target, last);
  }, opts.runs);
}

/** After a case: reloads the interaction and goes on while `at` holds for its page (with the page's token). */
export function stayWhile(tally: Tally, at: (page: Page) => boolean) {
  return async (target: Target, _last: Page): Promise<Target | undefined> => {
    if (!target.uid) return undefined;
    const page = await target.browser.request(`/interaction/${target.uid}`);
    tally.count(page);
    checkAnswer(page, [], `${tally.form} (reload)`);
    if (page.status !== 200 || !at(page)) return undefined;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1];
    return csrf ? { ...target, csrf } : undefined;
  };
}

/** Replaces the last path segment of a form URL by an arbitrary one (a stale or unknown step), when given. */
export const withSegment = (url: string, segment: string | undefined) =>
  segment === undefined ? url : url.replace(/\/[^/]*$/, `/${pathSegment(segment)}`);

/**
 * A path segment of an arbitrary string, cut to 300 characters: Node's HTTP parser itself answers
 * a request line over its 16 kB header limit with an empty 431, before any of flowgate's code.
 */
export const pathSegment = (segment: string) => encodeURIComponent(wellFormed(segment.slice(0, 300)));

/** A query string of arbitrary parameters (known names with hostile values, repeated keys, unknown names). */
export function queryCase(names: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<{ query: string; inputs: string[]; accept: string }> {
  return formCase(names).map((c) => {
    const entries: Array<[string, string]> = [];
    for (const [k, v] of Object.entries({ ...c.fields, ...c.extra })) if (v !== undefined) for (const item of [v].flat()) entries.push([wellFormed(k), wellFormed(item.slice(0, 100))]);
    const query = new URLSearchParams(entries).toString();
    return { query, inputs: entries.flat(), accept: c.accept };
  });
}

/** A Cookie header of named cookies, each a real value, a tampered real value or garbage. */
export function cookieHeader(real: Record<string, string>, extraNames: string[] = []): fc.Arbitrary<string> {
  const names = [...new Set([...Object.keys(real), ...extraNames])];
  if (!names.length) return fc.constant('');
  const one = fc.record({
    name: fc.constantFrom(...names),
    how: fc.constantFrom('real', 'tampered', 'garbage', 'empty', 'real'),
    garbage: headerString.map((h) => h.replace(/[;,]/g, '')),
    at: fc.nat(),
  }).map(({ name, how, garbage, at }) => {
    const value = real[name] ?? '';
    if (how === 'real') return `${name}=${value}`;
    if (how === 'empty') return `${name}=`;
    if (how === 'garbage' || !value) return `${name}=${garbage}`;
    const i = at % value.length;
    return `${name}=${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`;
  });
  return fc.array(one, { maxLength: 5 }).map((list) => list.join('; '));
}

/**
 * The server a fuzz file posts into: the fuzz limits, its seeded users (one with a password, if
 * named), and the users' snapshot taken before any case, for `assertUsersUnchanged` at the end.
 */
export async function startFuzzServer(config: Record<string, unknown> & { users: Array<{ phone: string; name?: string; email?: string }> }, withPassword?: string) {
  const server = await startServer({ config: { limits: FUZZ_LIMITS, ...config } });
  if (withPassword) {
    const user = (await server.store.users.findByPhone(withPassword))!;
    await server.store.users.update(user.id, { passwordHash: await createPasswordHasher().hash('correct-horse-battery-staple') });
  }
  return { server, seeded: await snapshotUsers(server, config.users.map((u) => u.phone)) };
}

/** After a fuzz file: no seeded user was lost or changed; the server stops. */
export async function stopFuzzServer(server: TestServer, seeded: UserSnapshot[]): Promise<void> {
  try {
    await assertUsersUnchanged(server, seeded);
  } finally {
    await server.close();
  }
}
