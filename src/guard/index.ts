// The abuse guard: every step asks it before it sends a code or checks a proof, and tells it how
// the proof went. Counters live in the store (store.guard), never in flow state or memory, so a
// new interaction, a flow switch, a restart or a second instance gives an attacker nothing.
// People held back see one generic sentence and the time to wait; the rule that fired is logged.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Logger } from 'pino';
import type { GuardStore, RateRule } from '../store/types.ts';
import type { LimitsConfig } from './config.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `retryAt` null: locked until a reset by SMS or an admin's unlock. */
export type Verdict = { ok: true } | { ok: false; retryAt: number | null };

/** Whom a proof concerns: the number always, the account when there is one. */
export interface ProofSubject { phone: string; userId?: string }

export interface SendRequest {
  phone: string;
  ip: string;
  /** `code`: every limit; `notice` (no code, after a proof): the global and country budgets only. */
  kind: 'code' | 'notice';
  /** The last message to this interaction could not be delivered: it cost nothing, so no cooldown. */
  skipCooldown?: boolean;
}

export interface Guard {
  /** Checks every sending limit and, when they all hold, counts the message. */
  beforeSend(req: SendRequest): Promise<Verdict>;
  /** When the number may next be sent a code (the page's countdown). */
  nextSendAt(phone: string): Promise<number>;
  /** Whether a proof (code or password) may be checked now. `reset`: a reset by SMS opens a hard lock. */
  beforeProof(subject: ProofSubject, opts?: { reset?: boolean }): Promise<Verdict>;
  /** Counts a failed proof; answers whether the subject is locked now. */
  proofFailed(subject: ProofSubject, opts?: { reset?: boolean }): Promise<Verdict>;
  /** A flow finished with this subject proven: the counts start over. */
  succeeded(subject: ProofSubject): Promise<void>;
  /** An admin's unlock; returns how many counters were cleared. */
  unlock(subject: ProofSubject): Promise<number>;
}

const numberKey = (phone: string) => `sms:number:${phone}`;
const proofKeys = (s: ProofSubject) => [`proof:phone:${s.phone}`, ...(s.userId ? [`proof:account:${s.userId}`] : [])];
/** For the log: the country code and first digits, never the whole number. */
const masked = (phone: string) => `${phone.slice(0, Math.max(4, phone.length - 6))}…`;

export function createGuard(store: GuardStore, limits: LimitsConfig, log: Logger, now: () => number): Guard {
  const { sms, guessing } = limits;

  function rules(req: SendRequest): RateRule[] {
    const budget: RateRule[] = [
      { name: 'global.hour', key: 'sms:global', windowMs: HOUR, limit: sms.global.hour },
      { name: 'global.day', key: 'sms:global', windowMs: DAY, limit: sms.global.day },
    ];
    const country = parsePhoneNumberFromString(req.phone)?.country;
    const countryBudget = country ? sms.perCountry[country] : undefined;
    if (country && countryBudget) {
      budget.push(
        { name: `country.${country}.hour`, key: `sms:country:${country}`, windowMs: HOUR, limit: countryBudget.hour },
        { name: `country.${country}.day`, key: `sms:country:${country}`, windowMs: DAY, limit: countryBudget.day },
      );
    }
    if (req.kind === 'notice') return budget;
    const number = numberKey(req.phone);
    const ip = `sms:ip:${req.ip || 'unknown'}`;
    return [
      ...(sms.cooldownSeconds > 0 && !req.skipCooldown
        ? [{ name: 'number.cooldown', key: number, windowMs: sms.cooldownSeconds * 1000, limit: 1 }] : []),
      { name: 'number.hour', key: number, windowMs: HOUR, limit: sms.perNumber.hour },
      { name: 'number.day', key: number, windowMs: DAY, limit: sms.perNumber.day },
      { name: 'ip.hour', key: ip, windowMs: HOUR, limit: sms.perIp.hour },
      { name: 'ip.day', key: ip, windowMs: DAY, limit: sms.perIp.day },
      {
        name: 'prefix', key: `sms:prefix:${req.phone.slice(0, -sms.perPrefix.dropDigits)}`,
        windowMs: sms.perPrefix.windowMinutes * MINUTE, limit: sms.perPrefix.distinctNumbers, distinct: true,
      },
      ...budget,
    ];
  }

  async function lockVerdict(subject: ProofSubject, reset: boolean): Promise<Verdict> {
    const { failures, lastAt } = await store.failures(proofKeys(subject));
    if (failures < guessing.lockoutAfter) return { ok: true };
    if (failures >= guessing.hardLockAfter && !reset) return { ok: false, retryAt: null };
    const steps = guessing.lockoutMinutes;
    const minutes = steps[Math.min(failures - guessing.lockoutAfter, steps.length - 1)]!;
    const until = lastAt + minutes * MINUTE;
    return now() < until ? { ok: false, retryAt: until } : { ok: true };
  }

  if (!limits.enabled) {
    const open: Verdict = { ok: true };
    return {
      async beforeSend() { return open; },
      async nextSendAt() { return 0; },
      async beforeProof() { return open; },
      async proofFailed() { return open; },
      async succeeded() {},
      async unlock() { return 0; },
    };
  }

  return {
    async beforeSend(req) {
      const taken = await store.take(rules(req), req.phone, now());
      if (taken.ok) return taken;
      if (taken.rule.startsWith('global.') || taken.rule.startsWith('country.')) {
        log.error({ alert: 'sms_budget', rule: taken.rule, retryAt: new Date(taken.retryAt).toISOString() },
          'ALERT: SMS budget reached; sending is stopped until the window frees (limits.sms)');
      } else {
        log.warn({ rule: taken.rule, to: masked(req.phone), kind: req.kind }, 'sms held back by a limit');
      }
      return { ok: false, retryAt: taken.retryAt };
    },
    async nextSendAt(phone) {
      const last = await store.lastAt(numberKey(phone));
      return last === undefined ? 0 : last + sms.cooldownSeconds * 1000;
    },
    beforeProof: (subject, opts) => lockVerdict(subject, Boolean(opts?.reset)),
    async proofFailed(subject, opts) {
      await store.fail(proofKeys(subject), now());
      const verdict = await lockVerdict(subject, Boolean(opts?.reset));
      if (!verdict.ok) log.warn({ to: masked(subject.phone), hard: verdict.retryAt === null }, 'proofs locked after too many failures');
      return verdict;
    },
    async succeeded(subject) { await store.clear(proofKeys(subject)); },
    unlock: (subject) => store.clear(proofKeys(subject)),
  };
}
