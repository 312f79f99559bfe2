// Every connector type against a local provider that answers errors (400, 500; 200-with-an-error where the
// provider does that) quoting the whole request back: headers (Basic credentials decoded too), body, query
// and the connector's keys, as JSON, form-encoded or XML. Neither the SmsError's detail nor the log lines of
// the queue and the dispatcher (debug level) may carry the code, the message, the recipient or a secret.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { connectorSchema } from '../../src/config/schema.ts';
import { createLogger } from '../../src/log.ts';
import { createDispatch } from '../../src/sms/delivery/dispatch.ts';
import { createSmsQueue } from '../../src/sms/delivery/worker.ts';
import { createConnector } from '../../src/sms/sender.ts';
import type { SmsMessage } from '../../src/sms/types.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { assertNoSecret, failure, fakeProvider } from '../helpers/fake-provider.ts';

const CODE = '483920';
const BODY = `${CODE} is your code`;
const TO = '+12025550148';
const MSG: SmsMessage = { to: TO, body: BODY, usage: 'sign-in', locale: 'en' };
/** Put first in every echo: proves the provider's text did reach the detail (and was scrubbed there). */
const MARK = 'ECHO-MARK';

const S = (name: string) => `SeCrEt-${name}-${randomBytes(8).toString('hex')}`;
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

interface Case {
  type: string;
  /** The config's secrets (what the fake quotes back as "keys"), and other forms of them never to be shown. */
  secrets: string[];
  derived?: string[];
  config: (base: string) => Record<string, unknown>;
}

const twilioToken = S('twilio');
const textlocalKey = S('tlkey');
const textlocalHash = S('tlhash');
const hookPassword = S('hookpw');
const hookHeader = S('hookhdr');
const hookBearer = S('hookbearer');
const mbKey = S('mbkey');
const mbSigning = S('mbsigning');

/** Per connector type, its configs (each with its own secrets); `base` is where the fake answers for that config. */
const cases: Record<string, Case[]> = {
  twilio: [{
    type: 'twilio', secrets: [twilioToken], derived: [basic(ACCOUNT_SID, twilioToken)],
    config: (base) => ({ type: 'twilio', accountSid: ACCOUNT_SID, authToken: twilioToken, from: '+15005550006', apiBaseUrl: base }),
  }],
  messagebird: [{
    type: 'messagebird', secrets: [mbKey, mbSigning],
    config: (base) => ({ type: 'messagebird', accessKey: mbKey, signingKey: mbSigning, originator: 'Flowgate', apiBaseUrl: base }),
  }],
  textlocal: [
    { type: 'textlocal', secrets: [textlocalKey], config: (base) => ({ type: 'textlocal', apiKey: textlocalKey, sender: 'Flowgate', apiBaseUrl: base }) },
    {
      type: 'textlocal', secrets: [textlocalHash],
      config: (base) => ({ type: 'textlocal', username: 'ops@example.com', hash: textlocalHash, sender: 'Flowgate', apiBaseUrl: base }),
    },
  ],
  vonage: [(() => {
    const secret = S('vonage');
    return { type: 'vonage', secrets: [secret], config: (base: string) => ({ type: 'vonage', apiKey: 'vonagekey', apiSecret: secret, from: 'Flowgate', apiBaseUrl: base }) };
  })()],
  aliyun: [(() => {
    const secret = S('aliyun');
    return {
      type: 'aliyun', secrets: [secret],
      config: (base: string) => ({ type: 'aliyun', accessKeyId: 'LTAIexample', accessKeySecret: secret, signName: 'Flowgate', templateCode: 'SMS_1', apiBaseUrl: base }),
    };
  })()],
  tencent: [(() => {
    const secret = S('tencent');
    return {
      type: 'tencent', secrets: [secret],
      config: (base: string) => ({ type: 'tencent', secretId: 'AKIDexample', secretKey: secret, smsSdkAppId: '1400000000', templateId: '100', signName: 'Flowgate', apiBaseUrl: base }),
    };
  })()],
  webhook: [
    {
      type: 'webhook', secrets: [hookPassword, hookHeader], derived: [basic('flowgate', hookPassword)],
      config: (base) => ({
        type: 'webhook', url: `${base}/send`, headers: { 'X-Api-Key': hookHeader }, auth: { basic: { username: 'flowgate', password: hookPassword } },
        bodyTemplate: { to: '{{to}}', text: '{{body}}' },
      }),
    },
    {
      type: 'webhook', secrets: [hookBearer], config: (base) => ({
        type: 'webhook', url: `${base}/send`, bodyFormat: 'form', auth: { bearer: hookBearer }, bodyTemplate: { to: '{{to}}', text: '{{body}}' },
      }),
    },
    {
      type: 'webhook', secrets: [hookPassword], derived: [basic('flowgate', hookPassword)],
      config: (base) => ({
        type: 'webhook', url: `${base}/send?key=1`, method: 'GET', auth: { basic: { username: 'flowgate', password: hookPassword } },
        bodyTemplate: { to: '{{to}}', text: '{{body}}' },
      }),
    },
  ],
};

/** HTTP statuses the fake answers with; 200 where the provider reports errors inside a 200 answer. */
const statuses: Record<string, number[]> = {
  twilio: [400, 500], messagebird: [400, 500], textlocal: [400, 500, 200], vonage: [400, 500, 200],
  aliyun: [400, 500, 200], tencent: [400, 500, 200], webhook: [400, 500],
};
const shapes = ['json', 'form', 'xml'] as const;
/** What one answer quotes: each alone (so it falls inside the detail's length), or everything. */
const parts = ['headers', 'body', 'query', 'keys'] as const;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The request quoted back: `part` of it (or all), in `shape`. */
function echo(req: IncomingMessage, raw: string, keys: string[], shape: string, part: string): string {
  const url = new URL(req.url ?? '/', 'http://fake');
  const auth = req.headers.authorization ?? '';
  const credentials = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
  const headers: Record<string, string> = { authorization: auth, credentials };
  for (const [name, value] of Object.entries(req.headers)) if (name !== 'authorization') headers[name] = String(value);
  const fields: Record<string, string> = { marker: MARK };
  if (part === 'headers' || part === 'all') Object.assign(fields, headers);
  if (part === 'body' || part === 'all') fields.body = raw;
  if (part === 'query' || part === 'all') fields.query = url.search;
  if (part === 'keys' || part === 'all') fields.keys = keys.join(' ');
  if (shape === 'json') return JSON.stringify(fields);
  if (shape === 'form') return new URLSearchParams(fields).toString();
  return `<request>${Object.entries(fields).map(([k, v]) => `<field name="${xmlEscape(k)}">${xmlEscape(v)}</field>`).join('')}</request>`;
}

/** The echo wrapped as the provider's error answer. */
function answer(res: ServerResponse, type: string, status: number, text: string, shape: string) {
  const json = (body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  switch (type) {
    case 'twilio':
      return json({ code: status === 400 ? 21211 : 20500, message: text, more_info: text, details: { echo: text }, status });
    case 'messagebird':
      return json({ errors: [{ code: 21, description: text, parameter: text }] });
    case 'textlocal':
      return json({ status: 'failure', errors: [{ code: 6, message: text }], warnings: [{ message: text, numbers: TO.slice(1) }] });
    case 'vonage':
      return json({ 'message-count': '1', messages: [{ status: '3', 'error-text': text, to: TO.slice(1) }] });
    case 'aliyun':
      return json({ Code: 'isv.SMS_CONTENT_ILLEGAL', Message: text, RequestId: text });
    case 'tencent':
      return json({ Response: { Error: { Code: 'FailedOperation.ContainSensitiveWord', Message: text }, RequestId: text } });
    default: // webhook: the echo is the whole answer
      return res.writeHead(status, { 'content-type': shape === 'json' ? 'application/json' : shape === 'form' ? 'application/x-www-form-urlencoded' : 'application/xml' }).end(text);
  }
}

const ECHO_PATH = /^\/echo\/(\w+)\/(\d+)\/(\d{3})\/(json|form|xml)\/(\w+)(?:\/|$)/;
const fake = fakeProvider((req, res, raw) => {
  const m = ECHO_PATH.exec(new URL(req.url ?? '/', 'http://fake').pathname);
  if (!m) return res.writeHead(404).end();
  const [, type, index, status, shape, part] = m as unknown as [string, string, string, string, string, string];
  const keys = cases[type]![Number(index)]!.secrets;
  answer(res, type, Number(status), echo(req, raw, keys, shape, part), shape);
});

const dir = mkdtempSync(join(tmpdir(), 'flowgate-echo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const forbidden = (c: Case) => [
  CODE, BODY, TO, TO.slice(1), TO.slice(2), ...c.secrets,
  ...(c.derived ?? []).flatMap((b64) => [b64, b64.replace(/=+$/, '')]),
];

async function connectorFor(type: string, index: number, status: number, shape: string, part: string) {
  const base = `${fake.baseUrl}/echo/${type}/${index}/${status}/${shape}/${part}`;
  return createConnector(connectorSchema.parse({ timeoutMs: 5_000, ...cases[type]![index]!.config(base) }));
}

/** Every status × shape × part: the error's detail quotes the provider (MARK) but nothing forbidden. */
async function checkDetails(type: string): Promise<void> {
  for (const [index, c] of cases[type]!.entries()) {
    for (const status of statuses[type]!) {
      for (const shape of shapes) {
        for (const part of parts) {
          const err = await failure((await connectorFor(type, index, status, shape, part)).send(MSG));
          const where = `${type}#${index} ${status} ${shape} ${part}: ${err.detail}`;
          assert.match(err.detail ?? '', new RegExp(`^${type}: `), where);
          // Vonage reads no body of a non-200 answer: nothing of it can reach the detail.
          if (!(type === 'vonage' && status !== 200)) assert.ok(err.detail?.includes(MARK), `the provider's text is in the detail: ${where}`);
          assertNoSecret(err, forbidden(c));
        }
      }
    }
  }
}

/** The same answers (quoting everything; one shape per status) through the queue and the dispatcher: no log line shows anything forbidden. */
async function checkLog(type: string): Promise<void> {
  let logged = '';
  const log = createLogger('debug', new Writable({ write(chunk, _e, done) { logged += String(chunk); done(); } }));
  const store = openSqliteStore(join(dir, `${type}.db`));
  try {
    for (const [index, c] of cases[type]!.entries()) {
      for (const [i, status] of statuses[type]!.entries()) {
        const shape = shapes[(index + i) % shapes.length]!;
        logged = '';
        const dispatch = createDispatch([await connectorFor(type, index, status, shape, 'all')], {
          timeoutMs: 10_000, retries: 1, backoffMs: 1, breakerThreshold: 100, breakerCooldownMs: 1_000,
        }, log);
        const queue = createSmsQueue(store, dispatch.attempt, log, ['US']);
        await queue.enqueue({ ...MSG, interactionUid: 'u', expiresAt: Date.now() + 300_000 });
        await queue.drain();
        await queue.stop();
        const where = `${type}#${index} ${status} ${shape}`;
        assert.match(logged, /sms send failed/, where);
        assert.match(logged, /sms not delivered/, where);
        if (!(type === 'vonage' && status !== 200)) assert.ok(logged.includes(MARK), `the provider's text is logged (scrubbed): ${where}`);
        for (const value of forbidden(c)) assert.ok(!logged.includes(value), `${where}: the log shows '${value}': ${logged}`);
      }
    }
  } finally {
    await store.close();
  }
}

for (const type of Object.keys(cases)) {
  test(`${type}: a provider echoing the request leaks no code, message, recipient or secret to the detail or the log`, { timeout: 60_000 }, async () => {
    await checkDetails(type);
    await checkLog(type);
  });
}
