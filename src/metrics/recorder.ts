// What call sites record through (passed in their deps, never imported as a singleton): one call
// per event, with ids and codes only. A phone number goes in only to be reduced to its country
// inside src/metrics; an IP never goes in. `noRecorder` is the recorder while metrics are off.
import type { StepResult } from '../authenticators/types.ts';

/** How a flow of an interaction ended: signed in, ended by a step (too many codes, wrong guesses), or moved to another flow. */
export type LoginOutcome = 'success' | 'failed' | 'switched';

export interface Recorder {
  /** A flow's first step ran for an interaction (or the interaction moved to this flow). */
  loginStarted(flow: string): void;
  loginFinished(flow: string, outcome: LoginOutcome): void;
  stepResult(authenticator: string, result: StepResult): void;
  /** `to` (E.164) is reduced to its ISO region here; it is never a label. */
  smsQueued(usage: string, to: string): void;
  smsSent(connector: string, usage: string, to: string): void;
  /** A message given up: every connector failed, the number was refused before any provider call, or its code expired. */
  smsFailed(usage: string, to: string, error: string): void;
  /** One provider attempt that failed (it may be retried or failed over). */
  smsAttemptFailed(connector: string, error: string): void;
  smsFailover(from: string, to: string): void;
  smsReport(connector: string, status: 'delivered' | 'failed'): void;
  /** The guard refused: a sending limit's rule name, or a proof lockout. */
  guardBlocked(limit: string): void;
  /** `route`: a fixed pattern (src/metrics/routes.ts), never the raw path. */
  request(route: string, status: number, seconds: number): void;
}

const nothing = () => {};
export const noRecorder: Recorder = {
  loginStarted: nothing, loginFinished: nothing, stepResult: nothing, smsQueued: nothing, smsSent: nothing, smsFailed: nothing,
  smsAttemptFailed: nothing, smsFailover: nothing, smsReport: nothing, guardBlocked: nothing, request: nothing,
};
