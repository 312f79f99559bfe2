// What the fetch-based SMS connectors share: one request with a timeout and a bounded body read, and a request
// without an answer as SmsError('unavailable') whose detail quotes nothing but the error's code. Building the
// request stays with each connector; its answers are scrubbed (./scrub.ts) and mapped (./codes.ts) there.
import { SmsError } from '../types.ts';

/** Reads a response body up to about `maxBytes` (whole chunks; the rest is cancelled) as UTF-8. */
export async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What a failed request is known by: whether our timeout fired, else the error's code (nothing it quotes is kept). */
export interface NetworkFailure {
  /** Our timeout fired: while connecting, waiting for the answer, or reading its body. */
  timeout: boolean;
  timeoutMs: number;
  /** The system error's code (`ECONNREFUSED`, `ENOTFOUND`, a TLS code), else the error's name (`TypeError`). */
  code?: string;
}

export interface ProviderRequest {
  url: string | URL;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  /** Covers the whole exchange, body included. */
  timeoutMs: number;
  /** The caller's abort (SendOptions.signal): ends the exchange too, whichever comes first. */
  signal?: AbortSignal;
  /** `manual` when the request carries a secret that must not be replayed to wherever a redirect points. Default: follow. */
  redirect?: RequestRedirect;
  /** Read at most about this many bytes of the body (see readLimited). Default: all of it. */
  maxBytes?: number;
  /** Read the body of 2xx answers only (any other is cancelled and read as ''). */
  bodyOnlyIfOk?: boolean;
  /**
   * The prefix of the SmsError's detail when no answer came (`vonage:` gives `vonage: network error (ECONNREFUSED)`
   * or `vonage: no answer within 5000ms`; see networkFailureDetail).
   */
  networkDetail: string;
}

export interface ProviderResponse {
  status: number;
  text: string;
}

/** `<prefix> no answer within <ms>ms`, or `<prefix> network error (<system code>)`: only the error's code or name, nothing it quotes. */
export function networkFailureDetail(prefix: string, f: NetworkFailure): string {
  if (f.timeout) return `${prefix} no answer within ${f.timeoutMs}ms`;
  return `${prefix} network error (${String(f.code ?? 'error').replace(/[^\w.-]/g, '').slice(0, 40)})`;
}

/** One HTTP request to a provider. Any answer (whatever its status) is returned; no answer throws SmsError('unavailable'). */
export async function requestProvider(req: ProviderRequest): Promise<ProviderResponse> {
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: req.redirect,
      signal: req.signal ? AbortSignal.any([AbortSignal.timeout(req.timeoutMs), req.signal]) : AbortSignal.timeout(req.timeoutMs),
    });
    if (req.bodyOnlyIfOk && !res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, text: '' };
    }
    const text = req.maxBytes === undefined ? await res.text() : await readLimited(res, req.maxBytes);
    return { status: res.status, text };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; name?: string } };
    const timeout = e?.name === 'TimeoutError' || e?.name === 'AbortError' || Boolean(req.signal?.aborted);
    const code = e?.cause?.code ?? e?.cause?.name ?? e?.name;
    throw new SmsError('unavailable', networkFailureDetail(req.networkDetail, { timeout, timeoutMs: req.timeoutMs, code }));
  }
}
