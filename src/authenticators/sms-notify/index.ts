// `sms-notify`: sends a message with its own template and no code (e.g. a welcome SMS), then
// moves on. A failed send is logged and does not stop the flow. With `when: finish` the message
// is kept and queued only once the flow completes successfully (the change-phone notice).
import { z } from 'zod';
import { compileTemplate, pickTemplate, TemplateError } from '../../sms/template.ts';
import { SmsError, usages } from '../../sms/types.ts';
import type { AuthenticatorFactory } from '../types.ts';
import { localeKeyProblem } from '../../config/locales.ts';

const configSchema = z.object({
  /** Which default template to use. @default welcome */
  usage: z.enum(usages).default('welcome'),
  /** `now`: queued when the step runs; `finish`: queued only if the flow completes successfully. @default now */
  when: z.enum(['now', 'finish']).default('now'),
  /** Message templates by locale; variables {{appName}} and {{host}}. */
  templates: z.record(z.string(), z.string()).default({}).superRefine((templates, ctx) => {
    for (const [locale, source] of Object.entries(templates)) {
      const problem = localeKeyProblem(locale);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: [locale], message: problem });
        continue;
      }
      try {
        compileTemplate(source, { requireCode: false });
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        ctx.addIssue({ code: 'custom', path: [locale], message: `template ${err.message}` });
      }
    }
  }),
}).strict();
type Config = z.infer<typeof configSchema>;

export const smsNotify: AuthenticatorFactory<Config> = {
  id: 'sms-notify',
  displayName: 'SMS notification',
  helpText: 'Sends a message (no code) to the phone number of the flow, e.g. a welcome SMS.',
  requirementChoices: ['REQUIRED', 'DISABLED'],
  proves: false,
  configSchema,
  defaultConfig: configSchema.parse({}),
  create(deps) {
    const host = new URL(deps.issuer).hostname;
    return {
      requiresUser: false,
      async authenticate(ctx) {
        if (!ctx.subject.phone) return { kind: 'attempted' };
        const source = pickTemplate(ctx.config.templates, deps.templates, ctx.config.usage, ctx.interaction.locale);
        const body = compileTemplate(source, { requireCode: false })({ code: '', ttlMinutes: '', appName: deps.appName, host });
        if (ctx.config.when === 'finish') {
          (ctx.subject.pendingSms ??= []).push({ to: ctx.subject.phone, body, usage: ctx.config.usage, locale: ctx.interaction.locale });
          return { kind: 'success' };
        }
        // A notice counts against the global budget only; when that is spent, the notice is skipped.
        const allowed = await deps.guard.beforeSend({ phone: ctx.subject.phone, ip: ctx.interaction.ip, kind: 'notice' });
        if (!allowed.ok) return { kind: 'success' };
        try {
          await deps.sms.enqueue({
            to: ctx.subject.phone, body, usage: ctx.config.usage, locale: ctx.interaction.locale,
            interactionUid: ctx.interaction.uid, expiresAt: deps.now() + 10 * 60_000,
          });
        } catch (err) {
          if (!(err instanceof SmsError)) throw err;
        }
        return { kind: 'success' };
      },
      async action() {
        return { kind: 'success' };
      },
    };
  },
};
