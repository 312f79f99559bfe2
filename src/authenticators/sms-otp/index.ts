// `sms-otp`: sends a one-time code by SMS and checks it. Codes are hashed, single use, bound to
// the interaction, the phone and the usage; wrong guesses, resends and sends are capped.
import { randomUUID } from 'node:crypto';
import { limitNotice } from '../../guard/index.ts';
import { compileTemplate, pickTemplate } from '../../sms/template.ts';
import { SmsError } from '../../sms/types.ts';
import type { AuthenticatorDeps, AuthenticatorFactory, StepContext, StepResult } from '../types.ts';
import { codeMatches, codePattern, generateCode, hashCode, normalizeCode } from './codes.ts';
import { smsOtpConfigSchema, type SmsOtpConfig } from './config.ts';

type Ctx = StepContext<SmsOtpConfig>;

/** The number this step sends to and checks: the flow's phone, or the candidate new number. */
const recipientOf = (ctx: Ctx): string | undefined => (ctx.config.sendTo === 'new-phone' ? ctx.subject.newPhone : ctx.subject.phone);

/** A consumed code: the recipient is proven; only a code to the flow's own phone proves the person (amr). */
function proven(ctx: Ctx, phone: string): StepResult {
  if (ctx.config.sendTo === 'new-phone') {
    ctx.subject.newPhoneVerified = phone;
    return { kind: 'success' };
  }
  ctx.subject.phoneVerified = phone;
  return { kind: 'success', amr: 'sms' };
}

function createSmsOtp(deps: AuthenticatorDeps) {
  const host = new URL(deps.issuer).hostname;
  // Templates were checked at load; compile each source once, not on every send.
  const compiled = new Map<string, ReturnType<typeof compileTemplate>>();
  const templateFor = (source: string) => {
    let render = compiled.get(source);
    if (!render) compiled.set(source, (render = compileTemplate(source)));
    return render;
  };

  /** The code page's model; a failed delivery of the newest message shows as a send error. */
  async function page(ctx: Ctx, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const latest = await deps.sms.latestFor(ctx.interaction.uid);
    const failed = latest?.status === 'failed' && latest.error !== 'expired' && !extra.sendError;
    return view(ctx, failed ? { ...extra, sendError: `sms_${latest.error}`, resendInSeconds: 0 } : extra);
  }

  async function view(ctx: Ctx, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const now = deps.now();
    // This step's own cooldown runs only from a code this interaction sent.
    const lastSentAt = (ctx.state.lastSentAt as number | undefined) ?? -Infinity;
    // The later of this step's own cooldown and the number's (which holds across interactions).
    const resendAt = Math.max(lastSentAt + ctx.config.resendCooldownSeconds * 1000, await deps.guard.nextSendAt(recipientOf(ctx)!));
    return {
      phone: recipientOf(ctx),
      newNumber: ctx.config.sendTo === 'new-phone',
      codeLength: ctx.config.codeLength,
      numeric: ctx.config.charset === 'numeric',
      resendInSeconds: Math.max(0, Math.ceil((resendAt - now) / 1000)),
      resendAt: new Date(resendAt).toISOString(),
      ttlMinutes: Math.ceil(ctx.config.ttlSeconds / 60),
      codeForm: true,
      ...extra,
    };
  }

  /** The code page when the guard holds something back: one generic sentence and the wait. */
  async function held(ctx: Ctx, kind: 'send_held' | 'locked', retryAt: number | null): Promise<StepResult> {
    const limit = limitNotice(kind, retryAt, deps.now());
    const { waitSeconds } = limit;
    // One wait on the page: the sentence, the countdown and the "Send a new code" button agree.
    const wait = { resendInSeconds: waitSeconds, resendAt: new Date(deps.now() + waitSeconds * 1000).toISOString() };
    // Locked: no code box (nothing would be checked); only a new code later, or another number.
    if (kind === 'locked') return { kind: 'failure', error: 'locked', view: 'code', model: await view(ctx, { limit, codeForm: false, ...wait }) };
    // A code sent earlier in this interaction still works while a new one is held back.
    const live = await deps.store.otp.active(ctx.interaction.uid, ctx.config.usage, deps.now());
    const codeForm = Boolean(live && live.phone === recipientOf(ctx));
    return { kind: 'failure', error: 'send_held', view: 'code', model: await view(ctx, { limit, codeForm, ...wait }) };
  }

  /** Failed codes count against the number the code went to, and the account. */
  const proofSubject = (ctx: Ctx) => ({
    phone: recipientOf(ctx)!, ...(ctx.user ? { userId: ctx.user.id } : {}), interactionUid: ctx.interaction.uid, ip: ctx.interaction.ip,
  });
  /** A reset or registration code proves the phone: a hard lock lets it through (the timed lockout applies). */
  const provesPhone = (ctx: Ctx) => ctx.config.usage === 'reset' || ctx.config.usage === 'register';

  /** A code that took its last wrong guess: only "Send a new code" or another number from here. */
  async function dead(ctx: Ctx): Promise<StepResult> {
    ctx.state.deadCode = true;
    return { kind: 'failure', error: 'code_dead', view: 'code', model: await view(ctx, { codeError: 'code_dead', codeForm: false }) };
  }

  async function send(ctx: Ctx, opts: { skipCooldown?: boolean; resend?: boolean } = {}): Promise<StepResult> {
    const { uid } = ctx.interaction;
    const phone = recipientOf(ctx)!;
    const counters = await deps.store.otp.counters(uid);
    if (counters.sends >= ctx.config.maxSendsPerInteraction) {
      return { kind: 'failure', error: 'too_many_codes', ends: true };
    }
    // No code for a number whose proofs are locked: it could not be checked anyway.
    const lock = await deps.guard.beforeProof(proofSubject(ctx), { phoneProof: provesPhone(ctx) });
    if (!lock.ok) return held(ctx, 'locked', lock.retryAt);
    const allowed = await deps.guard.beforeSend({ phone, ip: ctx.interaction.ip, kind: 'code', ...opts });
    if (!allowed.ok) return held(ctx, 'send_held', allowed.retryAt);
    const code = generateCode(ctx.config.codeLength, ctx.config.charset);
    const now = deps.now();
    const binding = { interactionUid: uid, phone, purpose: ctx.config.usage };
    const id = randomUUID();
    await deps.store.otp.replace({
      id, ...binding, codeHash: hashCode(deps.otpKey, binding, code), attempts: 0,
      maxAttempts: ctx.config.maxAttempts, createdAt: now, expiresAt: now + ctx.config.ttlSeconds * 1000,
    });
    const render = templateFor(pickTemplate(ctx.config.templates, deps.templates, ctx.config.usage, ctx.interaction.locale));
    const body = render({ code, ttlMinutes: String(Math.ceil(ctx.config.ttlSeconds / 60)), appName: deps.appName, host });
    try {
      // Queued, not sent here: the page answers without waiting for the provider.
      await deps.sms.enqueue({ to: phone, body, usage: ctx.config.usage, locale: ctx.interaction.locale, interactionUid: uid, expiresAt: now + ctx.config.ttlSeconds * 1000 });
    } catch (err) {
      if (!(err instanceof SmsError)) throw err;
      await deps.store.otp.kill(id);
      return { kind: 'failure', error: 'send_failed', reason: err.code, view: 'code', model: await view(ctx, { sendError: `sms_${err.code}`, resendInSeconds: 0 }) };
    }
    ctx.state.lastSentAt = now;
    delete ctx.state.deadCode;
    return { kind: 'challenge', view: 'code', model: await view(ctx, { sent: true, ...(opts.resend ? { resent: true } : {}) }) };
  }

  async function verify(ctx: Ctx): Promise<StepResult> {
    const { uid } = ctx.interaction;
    const phone = recipientOf(ctx)!;
    const code = normalizeCode(ctx.form.code ?? '', ctx.config.charset);
    if (!codePattern(ctx.config.codeLength, ctx.config.charset).test(code)) {
      return { kind: 'failure', error: 'invalid_input', view: 'code', model: await view(ctx, { codeError: 'code_format' }) };
    }
    const counters = await deps.store.otp.counters(uid);
    if (counters.failures >= ctx.config.maxFailuresPerInteraction) {
      return { kind: 'failure', error: 'too_many_attempts', ends: true };
    }
    const now = deps.now();
    const challenge = await deps.store.otp.active(uid, ctx.config.usage, now);
    // The code this page was for took its last wrong guess: say so, even to the right code.
    if (ctx.state.deadCode && !(challenge && challenge.phone === phone)) return dead(ctx);
    if (!challenge || challenge.phone !== phone) {
      return { kind: 'failure', error: 'code_expired', view: 'code', model: await page(ctx, { codeError: 'code_expired' }) };
    }
    // Counted as a failure before it is checked, so parallel guesses cannot outrun the lockout.
    const attempt = await deps.guard.beginProof(proofSubject(ctx), { phoneProof: provesPhone(ctx) });
    if (!attempt.ok) return held(ctx, 'locked', attempt.retryAt);
    const binding = { interactionUid: uid, phone, purpose: ctx.config.usage };
    const matches = codeMatches(deps.otpKey, binding, code, challenge.codeHash);
    const verdict = await deps.store.otp.settle(challenge.id, matches, now);
    const after = await attempt.settle(matches); // a right code that lost a race is no guess either
    if (verdict.kind === 'consumed') return proven(ctx, phone);
    if (!after.ok) return held(ctx, 'locked', after.retryAt);
    if (counters.failures + 1 >= ctx.config.maxFailuresPerInteraction) {
      return { kind: 'failure', error: 'too_many_attempts', ends: true };
    }
    if (verdict.kind === 'wrong' && verdict.attemptsLeft > 0) {
      return { kind: 'failure', error: 'code_invalid', view: 'code', model: await page(ctx, { codeError: 'code_invalid', attemptsLeft: verdict.attemptsLeft }) };
    }
    return dead(ctx);
  }

  return {
    requiresUser: false,
    async authenticate(ctx: Ctx): Promise<StepResult> {
      if (!recipientOf(ctx)) return { kind: 'failure', error: 'invalid_input', ends: true };
      // A number this interaction already proved by a code (sign-in that found no account, then
      // registration; a reset, then sign-in; "you already have an account", then sign-in) gets no second code.
      const recipient = recipientOf(ctx);
      if (ctx.config.sendTo === 'new-phone' ? ctx.subject.newPhoneVerified === recipient : ctx.subject.phoneVerified === recipient) {
        return proven(ctx, recipient!);
      }
      const active = await deps.store.otp.active(ctx.interaction.uid, ctx.config.usage, deps.now());
      if (active && active.phone === recipientOf(ctx)) return { kind: 'challenge', view: 'code', model: await page(ctx) };
      return send(ctx);
    },
    async action(ctx: Ctx): Promise<StepResult> {
      if (!recipientOf(ctx)) return { kind: 'failure', error: 'invalid_input', ends: true };
      if (ctx.form.resend !== undefined) {
        const lastSentAt = (ctx.state.lastSentAt as number | undefined) ?? 0;
        // A message that could not be delivered may be retried at once: it cost nothing.
        const failed = (await deps.sms.latestFor(ctx.interaction.uid))?.status === 'failed';
        if (!failed && deps.now() < lastSentAt + ctx.config.resendCooldownSeconds * 1000) {
          return { kind: 'failure', error: 'resend_too_soon', view: 'code', model: await view(ctx, { codeError: 'resend_too_soon' }) };
        }
        return send(ctx, { skipCooldown: failed, resend: true });
      }
      return verify(ctx);
    },
  };
}

export const smsOtp: AuthenticatorFactory<SmsOtpConfig> = {
  id: 'sms-otp',
  displayName: 'SMS one-time code',
  helpText: 'Sends a one-time code by SMS to the phone number from an earlier step and checks it.',
  requirementChoices: ['REQUIRED', 'ALTERNATIVE', 'DISABLED'],
  proves: (config) => config.sendTo !== 'new-phone',
  configSchema: smsOtpConfigSchema,
  defaultConfig: smsOtpConfigSchema.parse({}),
  create: createSmsOtp,
};
