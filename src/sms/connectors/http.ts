// What the fetch-based SMS connectors share: one request with a timeout and a bounded body read, a request
// without an answer as SmsError('unavailable'), and provider text scrubbed for the log. Building the request
// stays with each connector; its answers are mapped to SmsError codes there (with ./codes.ts).
import { SmsError } from '../types.ts';

/** Phone-number shapes: 7+ characters of digits, spaces, parentheses and dashes, starting and ending with a digit. */
const PHONE_NUMBERS = /\+?\d[\d\s()-]{5,}\d/g;
/** Shorter number shapes too (4+ characters): for providers that echo numbers in local or partial forms. */
const SHORT_NUMBERS = /\+?\d[\d\s()-]{2,}\d/g;

export interface ScrubOptions {
  /** Longest text kept (default 200); cut last, so no secret or number is left half-masked. */
  max?: number;
  /** What stands in for a secret (default `[redacted]`). */
  placeholder?: string;
  /** `phone` (default) masks phone-number shapes; `short` shorter number shapes as well; `digits` also every run of 4+ digits. */
  numbers?: 'phone' | 'short' | 'digits';
}

/**
 * Provider text fit for the log: every secret removed (as sent, URL-encoded, form-encoded and JSON-escaped,
 * longest first so a secret containing another goes whole), control characters as spaces, numbers masked, trimmed, cut.
 */
export function scrubDetail(text: string, secrets: readonly string[], opts: ScrubOptions = {}): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(new URLSearchParams({ s }).toString().slice(2));
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(opts.placeholder ?? '[redacted]');
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const numbers = opts.numbers ?? 'phone';
  out = out.replace(numbers === 'short' ? SHORT_NUMBERS : PHONE_NUMBERS, '[number]');
  if (numbers === 'digits') out = out.replace(/\d{4,}/g, '[digits]');
  return out.trim().slice(0, opts.max ?? 200);
}

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

/** What a failed fetch said (nothing else of the thrown error is kept). */
export interface NetworkFailure {
  /** Our timeout fired: while connecting, waiting for the answer, or reading its body. */
  timeout: boolean;
  timeoutMs: number;
  /** The thrown error's name and message (`TypeError`, `fetch failed` for most network errors). */
  name?: string;
  message?: string;
  /** Its cause: the system error (`ECONNREFUSED`, `ENOTFOUND`, a TLS code). */
  cause: { code?: string; name?: string; message?: string };
}

export interface ProviderRequest {
  url: string | URL;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  /** Covers the whole exchange, body included. */
  timeoutMs: number;
  /** `manual` when the request carries a secret that must not be replayed to wherever a redirect points. Default: follow. */
  redirect?: RequestRedirect;
  /** Read at most about this many bytes of the body (see readLimited). Default: all of it. */
  maxBytes?: number;
  /** Read the body of 2xx answers only (any other is cancelled and read as ''). */
  bodyOnlyIfOk?: boolean;
  /**
   * The detail of the SmsError when no answer came: a prefix for the standard wording (`vonage:` gives
   * `vonage: network error (ECONNREFUSED)`, `vonage: no answer within 5000ms`), or the connector's own.
   */
  networkDetail: string | ((failure: NetworkFailure) => string);
}

export interface ProviderResponse {
  status: number;
  text: string;
}

/** `<prefix> no answer within <ms>ms`, or `<prefix> network error (<system code>)`: only the error's code or name, nothing it quotes. */
function standardDetail(prefix: string, f: NetworkFailure): string {
  if (f.timeout) return `${prefix} no answer within ${f.timeoutMs}ms`;
  const cause = String(f.cause.code ?? f.cause.name ?? f.name ?? 'error').replace(/[^\w.-]/g, '').slice(0, 40);
  return `${prefix} network error (${cause})`;
}

/** One HTTP request to a provider. Any answer (whatever its status) is returned; no answer throws SmsError('unavailable'). */
export async function requestProvider(req: ProviderRequest): Promise<ProviderResponse> {
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: req.redirect,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    if (req.bodyOnlyIfOk && !res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, text: '' };
    }
    const text = req.maxBytes === undefined ? await res.text() : await readLimited(res, req.maxBytes);
    return { status: res.status, text };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: NetworkFailure['cause'] };
    const failure: NetworkFailure = {
      timeout: e?.name === 'TimeoutError' || e?.name === 'AbortError',
      timeoutMs: req.timeoutMs,
      name: e?.name,
      message: e?.message,
      cause: e?.cause ?? {},
    };
    const detail = req.networkDetail;
    throw new SmsError('unavailable', typeof detail === 'string' ? standardDetail(detail, failure) : detail(failure));
  }
}
