// Every metric flowgate exports, on a registry of its own per app (tests build several apps in one
// process), and the recorder that moves them. Labels are ids and codes only: flow, authenticator
// and connector ids, usages, ISO regions (from libphonenumber-js, never the number), limit names,
// route patterns. The queue gauges and the circuit states are read when Prometheus scrapes.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChainMember } from '../sms/delivery/live.ts';
import type { SmsOutboxStore } from '../store/types.ts';
import { processRegistry } from './process.ts';
import type { Recorder } from './recorder.ts';

export interface MetricsDeps {
  smsOutbox: Pick<SmsOutboxStore, 'pending' | 'oldestDueAt'>;
  /** The connector chain in use (its circuit states). */
  chain: () => readonly ChainMember[];
  now: () => number;
}

export interface Metrics {
  record: Recorder;
  /** The text Prometheus scrapes: the process's metrics, then the app's. */
  text(): Promise<string>;
  contentType: string;
}

/** An id as a label: the ids flowgate and its config use; anything else (a plugin's odd id) is `other`. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const id = (value: string) => (ID.test(value) ? value : 'other');
const countryOf = (e164: string) => parsePhoneNumberFromString(e164)?.country ?? 'unknown';
const STATES = ['closed', 'half-open', 'open'] as const;

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });

  const loginsStarted = counter('flowgate_logins_started_total', 'Interactions that ran the first step of a flow (or moved to it), by flow id.', ['flow']);
  const loginsFinished = counter('flowgate_logins_finished_total',
    'Flows that ended, by flow id and outcome: success (signed in), failed (a step ended the flow: too many codes or wrong guesses), switched (moved to another flow, e.g. sign-in to register). Started minus finished: in progress, abandoned, or stopped at a page that signs no one in (no account, disabled).',
    ['flow', 'outcome']);
  const steps = counter('flowgate_step_results_total',
    'Step results by authenticator id and result (success, attempted, challenge, failure), with the failure code (code_invalid, send_held, locked, …).',
    ['authenticator', 'result', 'error']);
  const smsQueued = counter('flowgate_sms_queued_total', 'SMS stored for sending, by usage and destination country (ISO region).', ['usage', 'country']);
  const smsSent = counter('flowgate_sms_sent_total', 'SMS a provider accepted, by connector, usage and destination country.', ['connector', 'usage', 'country']);
  const smsFailed = counter('flowgate_sms_failed_total',
    'SMS given up, by usage, country and error: every connector failed (unavailable, rejected, …), the number was refused before any provider call (country_not_allowed, type_not_allowed, invalid), or its code expired first (expired).',
    ['usage', 'country', 'error']);
  const smsAttemptErrors = counter('flowgate_sms_attempt_errors_total', 'Provider attempts that failed, by connector and error (they may be retried or failed over).', ['connector', 'error']);
  const smsFailovers = counter('flowgate_sms_failovers_total', 'Messages passed on to the next connector of the chain, by connector (from, to).', ['from', 'to']);
  const smsReports = counter('flowgate_sms_delivery_reports_total', 'Delivery reports from providers, by connector and status (delivered, failed).', ['connector', 'status']);
  const guardBlocks = counter('flowgate_guard_blocks_total',
    'Refusals by the abuse guard, by limit: a sending rule (number.cooldown, number.hour, ip.day, prefix, global.hour, country.GB.day, …), proof.ip.hour, or a guessing lockout (lockout, lockout_hard, proof.busy).',
    ['limit']);
  const requests = new Histogram({
    name: 'flowgate_http_request_duration_seconds', help: 'HTTP request latency by route pattern (unknown paths: other) and status class.',
    labelNames: ['route', 'status_class'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
  });

  new Gauge({
    name: 'flowgate_sms_circuit_state', help: 'Each connector\'s circuit breaker (kept per instance): 1 for its current state (closed, half-open, open), 0 for the others.',
    labelNames: ['connector', 'state'], registers,
    collect() {
      this.reset();
      // Two connectors of one type share an id: the worse state shows.
      const worst = new Map<string, number>();
      for (const m of deps.chain()) worst.set(id(m.id), Math.max(worst.get(id(m.id)) ?? 0, STATES.indexOf(m.circuit)));
      for (const [connector, at] of worst) for (const [i, state] of STATES.entries()) this.set({ connector, state }, i === at ? 1 : 0);
    },
  });
  new Gauge({
    name: 'flowgate_sms_queue_depth',
    help: 'SMS not settled yet (queued or being sent), read from the store at scrape time: every instance on one store reports the same queue. NaN while the store cannot be reached.',
    registers,
    async collect() {
      try { this.set(Number(await deps.smsOutbox.pending())); } catch { this.set(Number.NaN); }
    },
  });
  new Gauge({
    name: 'flowgate_sms_queue_oldest_due_age_seconds',
    help: 'How long ago the oldest SMS due now was queued (0 when none is due), read from the store at scrape time: every instance on one store reports the same queue. NaN while the store cannot be reached.',
    registers,
    async collect() {
      try {
        const now = deps.now();
        const at = await deps.smsOutbox.oldestDueAt(now);
        this.set(at === null ? 0 : Math.max(0, (now - Number(at)) / 1000));
      } catch { this.set(Number.NaN); }
    },
  });

  const record: Recorder = {
    loginStarted(flow) { loginsStarted.inc({ flow: id(flow) }); },
    loginFinished(flow, outcome) { loginsFinished.inc({ flow: id(flow), outcome }); },
    stepResult(authenticator, result) {
      steps.inc({ authenticator: id(authenticator), result: result.kind, error: result.kind === 'failure' ? id(result.error) : '' });
    },
    smsQueued(usage, to) { smsQueued.inc({ usage: id(usage), country: countryOf(to) }); },
    smsSent(connector, usage, to) { smsSent.inc({ connector: id(connector), usage: id(usage), country: countryOf(to) }); },
    smsFailed(usage, to, error) { smsFailed.inc({ usage: id(usage), country: countryOf(to), error: id(error) }); },
    smsAttemptFailed(connector, error) { smsAttemptErrors.inc({ connector: id(connector), error: id(error) }); },
    smsFailover(from, to) { smsFailovers.inc({ from: id(from), to: id(to) }); },
    smsReport(connector, status) { smsReports.inc({ connector: id(connector), status }); },
    guardBlocked(limit) { guardBlocks.inc({ limit: id(limit) }); },
    request(route, status, seconds) { requests.observe({ route, status_class: `${Math.floor(status / 100)}xx` }, seconds); },
  };

  const shared = processRegistry();
  return {
    record,
    contentType: registry.contentType,
    async text() { return `${await shared.metrics()}\n${await registry.metrics()}`; },
  };
}
