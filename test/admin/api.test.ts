// The admin API end to end, with a client-credentials token from a real openid-client: live edits
// of the sign-in flow reach the next login without a restart, every change is audited with a
// diff, refusals are problem documents that leave the stored state unchanged, no GET shows a
// connector secret, and export → import round-trips a flow.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import { parse } from 'yaml';
import { openPhonePage, submitCode, submitPhone, thenOf, toCodePage } from '../helpers/login.ts';
import { outboxLinesOf } from '../helpers/outbox.ts';
import { CLIENT, REGISTERED, startServer, type TestServer } from '../helpers/server.ts';

const BOT = { client_id: 'ops-bot', client_secret: 'ops-bot-secret-0123456789abcdef', adminApi: true };
const SECRET = 'twilio-auth-token-never-shown-0042';
const T = { timeout: 90_000 };

let server: TestServer;
let token: string;
before(async () => {
  server = await startServer({ config: { clients: [CLIENT, BOT] } });
  const config = await oidc.discovery(new URL(server.url), BOT.client_id, BOT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  token = (await oidc.clientCredentialsGrant(config, { scope: 'admin' })).access_token;
});
after(async () => { await server?.close(); });

interface Answer { status: number; etag: string | null; type: string; body: any; text: string }

async function api(method: string, path: string, opts: { body?: unknown; ifMatch?: string | null; yaml?: string; auth?: string | null } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.auth !== null) headers.authorization = `Bearer ${opts.auth ?? token}`;
  if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
  let body: string | undefined;
  if (opts.yaml !== undefined) { headers['content-type'] = 'application/yaml'; body = opts.yaml; }
  else if (opts.body !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(opts.body); }
  const res = await fetch(`${server.url}/admin/api${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const type = res.headers.get('content-type')?.split(';')[0] ?? '';
  return { status: res.status, etag: res.headers.get('etag'), type, text, body: type.includes('json') && text ? JSON.parse(text) : undefined };
}

function assertProblem(a: Answer, status: number, type: string, pointer?: RegExp) {
  assert.equal(a.status, status, a.text);
  assert.equal(a.type, 'application/problem+json');
  assert.equal(a.body.type, `urn:flowgate:problem:${type}`);
  assert.ok(a.body.detail, 'the problem says what is wrong');
  if (pointer) assert.ok(a.body.errors?.some((e: { pointer: string }) => pointer.test(e.pointer)), `a field matching ${pointer}: ${a.text}`);
}

/** Signs in with the SMS code; returns the SMS body. */
async function loginBySms(phone = REGISTERED): Promise<string> {
  const { browser, page } = await toCodePage(server, phone);
  const line = (await outboxLinesOf(server)).filter((l) => l.to === phone).at(-1)!;
  const code = /#([0-9A-Z]+)\s*$/.exec(line.body)![1]!;
  const done = await submitCode(browser, page, code);
  assert.equal(done.status, 303, 'the code signs in');
  assert.ok(done.location?.startsWith(CLIENT.redirect_uris[0]!), `back to the app: ${done.location}`);
  return line.body;
}

async function copySignIn(id: string) {
  const copy = await api('POST', '/flows/sign-in/copy', { body: { id } });
  assert.equal(copy.status, 201, copy.text);
  const bindings = await api('GET', '/bindings');
  const bound = await api('PUT', '/bindings', { body: { ...bindings.body, 'sign-in': id }, ifMatch: bindings.etag });
  assert.equal(bound.status, 200, bound.text);
  return copy;
}

test('a built-in flow is copied before an edit; the copy\'s new template and code length reach the next login, no restart', T, async () => {
  const builtIn = await api('PUT', '/flows/sign-in', { body: (await api('GET', '/flows/sign-in')).body, ifMatch: (await api('GET', '/flows/sign-in')).etag });
  assertProblem(builtIn, 409, 'built_in');
  await copySignIn('acme-sign-in');
  const config = await api('GET', '/flows/acme-sign-in/steps/sms/config');
  assert.equal(config.status, 200);
  const next = { ...config.body, codeLength: 8, templates: { en: 'Acme says: {{code}} opens {{appName}}. #{{code}}' } };
  const put = await api('PUT', '/flows/acme-sign-in/steps/sms/config', { body: next, ifMatch: config.etag });
  assert.equal(put.status, 200, put.text);
  const body = await loginBySms();
  assert.match(body, /^Acme says: (\d{8}) opens flowgate\. #\1$/, 'the new text with an 8-digit code');
});

test('an interaction finishes on the flow version it started on; the next one gets the new version', T, async () => {
  await copySignIn('pinned-sign-in');
  const started = await openPhonePage(server); // pinned to version 1 (6-digit codes)
  const config = await api('GET', '/flows/pinned-sign-in/steps/sms/config');
  const put = await api('PUT', '/flows/pinned-sign-in/steps/sms/config', { body: { ...config.body, codeLength: 9 }, ifMatch: config.etag });
  assert.equal(put.status, 200, put.text);
  const codeOf = async () => /#([0-9]+)\s*$/.exec((await outboxLinesOf(server)).filter((l) => l.to === REGISTERED).at(-1)!.body)![1]!;
  const oldPage = await submitPhone(started.browser, started.page, REGISTERED);
  const oldCode = await codeOf();
  assert.equal(oldCode.length, 6, 'the interaction that started before the edit keeps its version');
  assert.equal((await submitCode(started.browser, oldPage, oldCode)).status, 303);
  const body = await loginBySms();
  assert.match(body, /#\d{9}\s*$/, 'a new interaction runs the new version');
});

test('moving a step, changing a requirement, disabling the password and rolling back each reach the next login and the audit log', T, async () => {
  await copySignIn('edit-sign-in');
  const alternatives = async () => {
    const { page } = await openPhonePage(server);
    return [...page.html.matchAll(/name="then" value="([^"]+)"/g)].map((m) => m[1]);
  };
  assert.deepEqual(await alternatives(), ['sms', 'password']);
  let flow = await api('GET', '/flows/edit-sign-in');
  const moved = await api('POST', '/flows/edit-sign-in/steps/password/move', { body: { direction: 'up' }, ifMatch: flow.etag });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual(await alternatives(), ['password', 'sms'], 'the moved step comes first');

  const disabled = await api('PUT', '/flows/edit-sign-in/steps/password/requirement', { body: { requirement: 'DISABLED' }, ifMatch: moved.etag });
  assert.equal(disabled.status, 200, disabled.text);
  assert.deepEqual(await alternatives(), [], 'no password alternative: the phone page goes straight to the code');
  const { page } = await openPhonePage(server);
  assert.equal(thenOf(page.html), undefined);

  const versions = await api('GET', '/flows/edit-sign-in/versions');
  assert.deepEqual(versions.body.map((v: { version: number }) => v.version), [3, 2, 1]);
  flow = await api('GET', '/flows/edit-sign-in');
  const rolledBack = await api('POST', '/flows/edit-sign-in/versions/1/activate', { ifMatch: flow.etag });
  assert.equal(rolledBack.status, 200, rolledBack.text);
  assert.deepEqual(await alternatives(), ['sms', 'password'], 'version 1 again');

  const audit = await api('GET', '/audit?target=flow:edit-sign-in');
  const actions = audit.body.map((e: { action: string }) => e.action);
  assert.deepEqual(actions, ['flow.activate', 'step.requirement', 'step.move', 'flow.copy']);
  for (const entry of audit.body) assert.equal(entry.actor, 'client:ops-bot');
  const requirement = audit.body.find((e: { action: string }) => e.action === 'step.requirement');
  assert.ok(requirement.diff.some((d: { path: string; from: string; to: string }) => /\/requirement$/.test(d.path) && d.from === 'ALTERNATIVE' && d.to === 'DISABLED'), JSON.stringify(requirement.diff));
  assert.ok(audit.body.find((e: { action: string }) => e.action === 'step.move').diff.length > 0);
});

test('refusals are problem documents naming the field, and the stored flow is unchanged', T, async () => {
  await copySignIn('strict-sign-in');
  const before = await api('GET', '/flows/strict-sign-in');
  const config = (await api('GET', '/flows/strict-sign-in/steps/sms/config')).body;
  assertProblem(await api('PUT', '/flows/strict-sign-in/steps/sms/config', { body: { ...config, codeLength: 99 }, ifMatch: before.etag }), 422, 'invalid_document', /^\/codeLength$/);
  // A code step with a notice usage (no {{code}} in its templates) would fail every sign-in: refused.
  assertProblem(await api('PUT', '/flows/strict-sign-in/steps/sms/config', { body: { ...config, usage: 'phone-changed' }, ifMatch: before.etag }), 422, 'invalid_document', /^\/usage$/);
  assertProblem(await api('PUT', '/flows/strict-sign-in/steps/sms/config', { body: { ...config, templates: { en: 'Code {{code}} for {{user}}' } }, ifMatch: before.etag }), 422, 'invalid_document', /^\/templates\/en$/);
  const noWay = { ...before.body, steps: [before.body.steps[0], { ...before.body.steps[1], steps: before.body.steps[1].steps.map((s: object) => ({ ...s, requirement: 'DISABLED' })) }] };
  assertProblem(await api('PUT', '/flows/strict-sign-in', { body: noWay, ifMatch: before.etag }), 422, 'invalid_document', /^\/steps/);
  assertProblem(await api('PUT', '/flows/strict-sign-in', { body: before.body, ifMatch: '"999"' }), 412, 'stale');
  assertProblem(await api('PUT', '/flows/strict-sign-in', { body: before.body }), 428, 'if_match_required');
  assertProblem(await api('PUT', '/flows/strict-sign-in', { body: before.body, ifMatch: `W/${before.etag}` }), 412, 'stale');
  assertProblem(await api('GET', '/flows/strict-sign-in', { auth: null }), 401, 'unauthorized');
  assertProblem(await api('GET', '/flows/strict-sign-in', { auth: 'not-a-token' }), 401, 'unauthorized');
  const config2 = await oidc.discovery(new URL(server.url), BOT.client_id, BOT.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  const noAdmin = (await oidc.clientCredentialsGrant(config2, {})).access_token;
  assertProblem(await api('GET', '/flows/strict-sign-in', { auth: noAdmin }), 403, 'forbidden');
  // A purpose left out keeps its flow; null unbinds it.
  const bindings = await api('GET', '/bindings');
  const partial = await api('PUT', '/bindings', { body: { 'reset-credentials': null }, ifMatch: bindings.etag });
  assert.equal(partial.status, 200, partial.text);
  assert.deepEqual(partial.body, Object.fromEntries(Object.entries(bindings.body).filter(([k]) => k !== 'reset-credentials')));
  const restored = await api('PUT', '/bindings', { body: { 'reset-credentials': bindings.body['reset-credentials'] }, ifMatch: partial.etag });
  assert.deepEqual(restored.body, bindings.body);
  assertProblem(await api('PUT', '/bindings', { body: { 'sign-in': 'no-such-flow' }, ifMatch: (await api('GET', '/bindings')).etag }), 422, 'invalid_document', /^\/sign-in$/);
  const after = await api('GET', '/flows/strict-sign-in');
  assert.equal(after.etag, before.etag, 'nothing was saved');
  assert.deepEqual(after.body, before.body);
  assert.deepEqual((await api('GET', '/flows/strict-sign-in/versions')).body.length, 1);
});

test('no admin GET shows a connector secret (every GET route of the OpenAPI document is walked)', T, async () => {
  const chain = await api('GET', '/sms/connectors');
  const put = await api('PUT', '/sms/connectors', {
    body: { connectors: [...chain.body.connectors.map(({ secretsSet: _s, ...c }: { secretsSet: unknown }) => c), { type: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: SECRET, from: '+15005550006' }] },
    ifMatch: chain.etag,
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body.connectors[1].secretsSet, ['authToken']);
  assert.ok(!put.text.includes(SECRET));
  // A PUT without the secret keeps it (write-only); the chain still has it set.
  const again = await api('PUT', '/sms/connectors', { body: { connectors: put.body.connectors.map(({ secretsSet: _s, ...c }: { secretsSet: unknown }) => c) }, ifMatch: put.etag });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body.connectors[1].secretsSet, ['authToken']);
  // Pointing the connector elsewhere without the secret is refused: the stored secret never follows a changed setting.
  const redirected = again.body.connectors.map(({ secretsSet: _s, ...c }: { secretsSet: unknown }) => c);
  redirected[1] = { ...redirected[1], apiBaseUrl: 'http://127.0.0.1:9/steal' };
  assertProblem(await api('PUT', '/sms/connectors', { body: { connectors: redirected }, ifMatch: again.etag }), 422, 'invalid_document', /^\/connectors\/1\/authToken$/);
  // An outbox path comes from the config file only (an edit cannot make the server write elsewhere).
  assertProblem(await api('PUT', '/sms/connectors', { body: { connectors: [{ type: 'outbox', path: '/tmp/elsewhere.jsonl' }] }, ifMatch: again.etag }), 422, 'invalid_document', /^\/connectors\/0\/path$/);

  const user = (await api('GET', `/users?q=${encodeURIComponent(REGISTERED)}`)).body[0];
  const values: Record<string, string> = { id: 'sign-in', stepId: 'sms', version: '1' };
  const doc = await api('GET', '/openapi.json');
  let walked = 0;
  for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
    if (!ops.get) continue;
    const url = path.startsWith('/users/') ? path.replace('{id}', user.id) : path.replace(/\{(\w+)\}/g, (_m, k: string) => values[k]!);
    const answer = await api('GET', url);
    assert.equal(answer.status, 200, `GET ${url}: ${answer.text.slice(0, 200)}`);
    assert.ok(!answer.text.includes(SECRET), `GET ${url} shows no secret`);
    walked += 1;
  }
  assert.ok(walked >= 15, `walked ${walked} GET routes`);
  for (const path of ['/audit?limit=500', '/openapi.json']) assert.ok(!(await api('GET', path)).text.includes(SECRET));
});

test('export then import of a flow round-trips to the same document', T, async () => {
  await copySignIn('git-sign-in');
  const exported = await api('GET', '/flows/git-sign-in/export');
  assert.equal(exported.status, 200);
  assert.match(exported.type, /yaml/);
  const renamed = exported.text.replace(/^id: git-sign-in$/m, 'id: from-git');
  const imported = await api('POST', '/flows/import', { yaml: renamed });
  assert.equal(imported.status, 200, imported.text);
  const back = await api('GET', '/flows/from-git/export');
  assert.equal(back.text, renamed, 'the same file');
  assert.deepEqual({ ...parse(back.text), id: 'git-sign-in' }, (await api('GET', '/flows/git-sign-in')).body);
  // Importing the same file again changes nothing; an edited file makes a new version of the admin flow.
  const reimported = await api('POST', '/flows/import', { yaml: back.text });
  assert.equal(reimported.status, 200, reimported.text);
  assert.equal((await api('GET', '/flows/from-git/export')).text, renamed);
  assert.equal((await api('GET', '/flows/from-git/versions')).body.length, 1);
  const edited = await api('POST', '/flows/import', { yaml: back.text.replace('codeLength: 6', 'codeLength: 7') });
  assert.equal(edited.status, 200, edited.text);
  assert.equal((await api('GET', '/flows/from-git/versions')).body.length, 2);
  assert.equal((await api('GET', '/audit?target=flow:from-git')).body[0].action, 'flow.import');
});

test('the template preview reports the text, length, SMS segments and unknown variables', T, async () => {
  const ok = await api('POST', '/sms/templates/preview', { body: { template: '{{code}} is your {{appName}} code', usage: 'sign-in' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.text, '123456 is your flowgate code');
  assert.equal(ok.body.segments, 1);
  assert.equal(ok.body.encoding, 'GSM-7');
  const unknown = await api('POST', '/sms/templates/preview', { body: { template: '{{code}} for {{user}} at {{site}}', usage: 'sign-in' } });
  assert.equal(unknown.body.ok, false);
  assert.deepEqual(unknown.body.unknownVariables, ['user', 'site']);
});
