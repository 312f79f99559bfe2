// Which failures mean "the database cannot be reached right now"; they become the one 503 of src/errors.ts.
// Every store call goes through src/store/postgres/pool.ts, which maps these once; anything else
// (a constraint, a bug) is rethrown as it is.
import { AppError, storeUnavailable } from '../../errors.ts';

/** Socket-level failures (the server is down, restarting, or the network is cut). */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs: admin/crash shutdown, cannot connect now, statement timeout, too many connections. */
const SQL_STATES = new Set(['57P01', '57P02', '57P03', '57014', '53300']);
/** pg's own errors carry no code: a connection that ended under a query, a connect or pool-wait timeout. */
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error|Connection ended)/;

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (NET_CODES.has(e.code) || SQL_STATES.has(e.code) || e.code.startsWith('08'))) return true;
  return typeof e.message === 'string' && PG_MESSAGES.test(e.message);
}

/** 22021: text PostgreSQL cannot store (a NUL character; SQLite stores it). Input validation should have refused it. */
const UNSTORABLE_TEXT = '22021';

/** A store failure as callers see it: unreachable → the 503; unstorable text → a 400; anything else unchanged. */
export function storeError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (isUnavailable(err)) return storeUnavailable(err);
  if ((err as { code?: unknown } | null)?.code === UNSTORABLE_TEXT) {
    return new AppError(400, 'invalid_input', { detail: 'the input contains a character that cannot be stored', cause: err });
  }
  return err;
}

/** The store could not be opened at start-up (unreachable, refused, a migration failed); its message names a masked URL. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}
