// The harness of the SMS connector tests: a fake provider on 127.0.0.1 (random port) that may leave requests
// hanging, the SmsError a failed send threw, the "no secret in the error" check, and the tests every connector
// repeats: a table of provider errors and the codes they map to, nothing listening, a provider that never answers.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SmsError, type SmsErrorCode } from '../../src/sms/types.ts';

/** Answers one request; `raw` is the whole request body as UTF-8, `bytes` the same as sent. */
export type FakeHandler = (req: IncomingMessage, res: ServerResponse, raw: string, bytes: Buffer) => void;

export interface FakeProvider {
  /** `http://127.0.0.1:<port>`, set once the file's `before` hook has run. */
  readonly baseUrl: string;
  /** Never answers `res`: it is destroyed when the server closes. */
  hang(res: ServerResponse): void;
}

/** Starts the fake before the file's tests and closes it after them (hanging responses destroyed). */
export function fakeProvider(handle: FakeHandler): FakeProvider {
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      handle(req, res, bytes.toString('utf8'), bytes);
    });
  });
  let baseUrl = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });
  return {
    get baseUrl() { return baseUrl; },
    hang(res) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    },
  };
}

/** The SmsError the promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<SmsError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SmsError, `expected SmsError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the send to fail');
}

/** None of `secrets` in anything the error shows (JSON, string, message, detail, stack). */
export function assertNoSecret(err: SmsError, secrets: readonly string[]): void {
  const shown = [JSON.stringify(err), String(err), err.message, err.detail ?? '', err.stack ?? ''];
  for (const secret of secrets) {
    for (const text of shown) assert.ok(!text.includes(secret), `error shows '${secret}': ${text}`);
  }
}

/** [case, recipient, our code, what the log detail must name] */
export type MappedCase = [name: string, to: string, code: SmsErrorCode, detail: RegExp];

/** Registers a test per case, `<provider> <case> → <code>`: sending to the recipient fails with that code and detail, then `check`. */
export function testErrorMapping(
  provider: string, cases: readonly MappedCase[], send: (to: string) => Promise<unknown>, check: (err: SmsError, to: string) => void,
): void {
  for (const [name, to, code, detail] of cases) {
    test(`${provider} ${name} → ${code}`, async () => {
      const err = await failure(send(to));
      assert.equal(err.code, code);
      assert.match(err.detail ?? '', detail);
      check(err, to);
    });
  }
}

/** The base URL of a port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Registers the test "nothing listening → unavailable": `send` gets the base URL of a closed port; `check` the error. */
export function testNothingListening(send: (baseUrl: string) => Promise<unknown>, check: (err: SmsError) => void): void {
  test('nothing listening → unavailable, no secret in the error', async () => {
    const err = await failure(send(await closedPortUrl()));
    assert.equal(err.code, 'unavailable');
    check(err);
  });
}

/**
 * Registers a test of a provider that never answers: `send` (with a short timeoutMs) must fail as unavailable.
 * The runner's timeout only turns a connector that never gives up into a failure instead of a hang.
 */
export function testHangTimeout(name: string, send: () => Promise<unknown>, check: (err: SmsError) => void): void {
  test(name, { timeout: 20_000 }, async () => {
    const err = await failure(send());
    assert.equal(err.code, 'unavailable');
    check(err);
  });
}
