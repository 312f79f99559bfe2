// The one error model. An AppError carries an HTTP status, a wire code (a message key for pages,
// the problem type for APIs) and whether its detail may be shown. Everything below src/web and
// src/admin throws these (or returns codes); src/web/errors.ts maps them to pages and to RFC 9457
// problem documents in one place. Anything that is not an AppError is a 500 whose detail is never shown.

/** One refused field: a JSON pointer into the request body (RFC 6901) and what is wrong with it. */
export interface FieldProblem { pointer: string; detail: string }

export interface AppErrorOptions {
  /** A sentence for the reader (shown: it must never carry a secret or an internal detail). */
  detail?: string;
  /** The refused fields, for forms and problem documents. */
  fields?: FieldProblem[];
  /** Response headers the refusal needs (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly detail?: string;
  readonly fields: FieldProblem[];
  readonly headers: Record<string, string>;
  constructor(readonly status: number, readonly code: string, opts: AppErrorOptions = {}) {
    super(opts.detail ? `${code}: ${opts.detail}` : code, opts.cause === undefined ? undefined : { cause: opts.cause });
    if (opts.detail !== undefined) this.detail = opts.detail;
    this.fields = opts.fields ?? [];
    this.headers = opts.headers ?? {};
  }
  /** 4xx details are written for the person; 5xx never show theirs. */
  get expose(): boolean { return this.status < 500; }
}

export const badRequest = (code: string, detail: string, fields: FieldProblem[] = []) => new AppError(400, code, { detail, fields });
export const notFoundError = (what: string) => new AppError(404, 'not_found', { detail: `${what} does not exist` });
export const conflict = (code: string, detail: string) => new AppError(409, code, { detail });
/** The store cannot be reached right now (database down, restarting, timed out): people see "try again in a moment". */
export const storeUnavailable = (cause?: unknown) =>
  new AppError(503, 'store_unavailable', { headers: { 'retry-after': '2' }, ...(cause === undefined ? {} : { cause }) });

/** A JSON pointer from a path of keys and indexes (RFC 6901 escaping). */
export function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
