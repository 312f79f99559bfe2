// The abuse guard: every step asks it before it sends a code or checks a proof, and tells it how
// the proof went. Counters live in the store (store.guard), never in flow state or memory, so a
// new interaction, a flow switch, a restart or a second instance gives an attacker nothing.
// People held back see one generic sentence and the time to wait; the rule that fired is logged.
import { destinationOf } from '../sms/phone-policy.ts';
import type { Logger } from 'pino';
import type { FailureRecord, GuardStore, RateRule } from '../store/types.ts';
import type { LimitsConfig } from './config.ts';
import { noRecorder, type Recorder } from '../metrics/recorder.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `retryAt` null: locked until a reset by SMS or an admin's unlock. */
export type Verdict = { ok: true } | { ok: false; retryAt: number | null };

/**
 * Whom a proof concerns: the number always, the account when there is one; the interaction and
 * the client IP when the proof is being made (so one interaction cannot spray many numbers, and
 * one IP only so many failures an hour).
 */
export interface ProofSubject { phone: string; userId?: string; interactionUid?: string; ip?: string }

/** A proof being checked: counted as a failure until `settle(true)` says it was right. */
export type ProofAttempt =
  | { ok: true; settle(right: boolean): Promise<Verdict> }
  | { ok: false; retryAt: number | null };

export interface SendRequest {
  phone: string;
  ip: string;
  /** `code`: every limit; `notice` (no code, after a proof): the global and country budgets only. */
  kind: 'code' | 'notice';
  /** The last message to this interaction could not be delivered: it cost nothing, so no cooldown. */
  skipCooldown?: boolean;
}

/** What a page shows when a limit holds something back: which sentence, and the wait in seconds. */
export interface LimitNotice { kind: 'send_held' | 'locked' | 'locked_hard'; waitSeconds: number }

export function limitNotice(kind: 'send_held' | 'locked', retryAt: number | null, now: number): LimitNotice {
  if (retryAt === null) return { kind: 'locked_hard', waitSeconds: 0 };
  return { kind, waitSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
}

export interface Guard {
  /** Checks every sending limit and, when they all hold, counts the message. */
  beforeSend(req: SendRequest): Promise<Verdict>;
  /** When the number may next be sent a code (the page's countdown). */
  nextSendAt(phone: string): Promise<number>;
  /**
   * Whether proofs may be checked now (read only: e.g. before sending a code). `phoneProof`: a code
   * that proves the phone for a reset or a registration, which a hard lock lets through (the timed
   * lockout still applies).
   */
  beforeProof(subject: ProofSubject, opts?: { phoneProof?: boolean }): Promise<Verdict>;
  /**
   * Before a code or password is checked: atomically counts it as a failure when the subject is not
   * locked, so parallel guesses cannot all pass one check; `settle` refunds a right one and answers
   * whether a wrong one locked the subject.
   */
  beginProof(subject: ProofSubject, opts?: { phoneProof?: boolean }): Promise<ProofAttempt>;
  /** A flow finished with this subject proven: the counts start over. */
  succeeded(subject: ProofSubject): Promise<void>;
  /** An admin's unlock: the number's (and account's) failed proofs and the number's sending caps; returns how many counters were cleared. */
  unlock(subject: ProofSubject): Promise<number>;
}

const numberKey = (phone: string) => `sms:number:${phone}`;
/** The keys a subject's consecutive failures are kept under. */
const proofKeys = (s: ProofSubject) => [
  `proof:phone:${s.phone}`,
  ...(s.userId ? [`proof:account:${s.userId}`] : []),
  ...(s.interactionUid ? [`proof:interaction:${s.interactionUid}`] : []),
];

/** An IP as a limit's key: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 by its /64 (one subscriber's block). */
export function ipKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip || 'unknown';
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
/** For the log: the country code and first digits, never the whole number. */
const masked = (phone: string) => `${phone.slice(0, Math.max(4, phone.length - 6))}…`;

export function createGuard(store: GuardStore, limits: LimitsConfig, log: Logger, now: () => number, record: Pick<Recorder, 'guardBlocked'> = noRecorder): Guard {
  const { sms, guessing } = limits;
  /** A lockout as a limit name (metrics). */
  const lockName = (v: Verdict) => (!v.ok && v.retryAt === null ? 'lockout_hard' : 'lockout');

  function rules(req: SendRequest): RateRule[] {
    const budget: RateRule[] = [
      { name: 'global.hour', key: 'sms:global', windowMs: HOUR, limit: sms.global.hour },
      { name: 'global.day', key: 'sms:global', windowMs: DAY, limit: sms.global.day },
    ];
    const country = destinationOf(req.phone).country;
    const countryBudget = country ? sms.perCountry[country] : undefined;
    if (country && countryBudget) {
      budget.push(
        { name: `country.${country}.hour`, key: `sms:country:${country}`, windowMs: HOUR, limit: countryBudget.hour },
        { name: `country.${country}.day`, key: `sms:country:${country}`, windowMs: DAY, limit: countryBudget.day },
      );
    }
    if (req.kind === 'notice') return budget;
    const number = numberKey(req.phone);
    const ip = `sms:ip:${ipKey(req.ip)}`;
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

  /** The lockout a failure record means now (growing timed lockouts, then the hard lock). */
  function lockOf({ failures, lastAt }: FailureRecord, phoneProof: boolean, at: number): Verdict {
    if (failures < guessing.lockoutAfter) return { ok: true };
    if (failures >= guessing.hardLockAfter && !phoneProof) return { ok: false, retryAt: null };
    const steps = guessing.lockoutMinutes;
    const minutes = steps[Math.min(failures - guessing.lockoutAfter, steps.length - 1)]!;
    const until = lastAt + minutes * MINUTE;
    return at < until ? { ok: false, retryAt: until } : { ok: true };
  }

  const ipFailures = (ip: string): RateRule => ({ name: 'proof.ip.hour', key: `proof:ip:${ipKey(ip)}`, windowMs: HOUR, limit: guessing.failuresPerIpPerHour });

  async function lockVerdict(subject: ProofSubject, phoneProof: boolean): Promise<Verdict> {
    return lockOf(await store.failures(proofKeys(subject)), phoneProof, now());
  }
  async function lockGate(subject: ProofSubject, phoneProof: boolean): Promise<Verdict> {
    const verdict = await lockVerdict(subject, phoneProof);
    if (!verdict.ok) record.guardBlocked(lockName(verdict));
    return verdict;
  }

  /** An admin's unlock: the subject's failed proofs and the number's own code caps. */
  const unlock = async (subject: ProofSubject) => (await store.clear(proofKeys(subject))) + (await store.forget([numberKey(subject.phone)]));

  if (!limits.enabled) {
    const open: Verdict = { ok: true };
    return {
      async beforeSend() { return open; },
      async nextSendAt() { return 0; },
      async beforeProof() { return open; },
      async beginProof() { return { ok: true, async settle() { return open; } }; },
      async succeeded() {},
      unlock,
    };
  }

  return {
    async beforeSend(req) {
      const taken = await store.take(rules(req), req.phone, now());
      if (taken.ok) return taken;
      record.guardBlocked(taken.rule);
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
    beforeProof: (subject, opts) => lockGate(subject, Boolean(opts?.phoneProof)),
    async beginProof(subject, opts) {
      const phoneProof = Boolean(opts?.phoneProof);
      const at = now();
      if (subject.ip !== undefined) {
        const ip = await store.take([ipFailures(subject.ip)], '', at, { dryRun: true });
        if (!ip.ok) {
          record.guardBlocked(ip.rule);
          log.warn({ rule: ip.rule }, 'proofs from this client IP held back: too many failures this hour');
          return { ok: false, retryAt: ip.retryAt };
        }
      }
      const keys = proofKeys(subject);
      const seen: { lock: Verdict } = { lock: { ok: true } };
      const reservation = await store.reserve(keys, at, (worst) => (seen.lock = lockOf(worst, phoneProof, at)).ok);
      if (!reservation) {
        record.guardBlocked(seen.lock.ok ? 'proof.busy' : lockName(seen.lock));
        return seen.lock.ok ? { ok: false, retryAt: at } : seen.lock;
      }
      return {
        ok: true,
        async settle(right) {
          if (right) {
            await store.refund(reservation);
            return { ok: true };
          }
          if (subject.ip !== undefined) await store.take([ipFailures(subject.ip)], '', at);
          const verdict = await lockVerdict(subject, phoneProof);
          if (!verdict.ok) log.warn({ to: masked(subject.phone), hard: verdict.retryAt === null }, 'proofs locked after too many failures');
          return verdict;
        },
      };
    },
    async succeeded(subject) { await store.clear(proofKeys(subject)); },
    unlock,
  };
}
