// `sms-otp` step config: code shape, lifetimes, limits and message templates per locale.
import { z } from 'zod';
import { compileTemplate, TemplateError } from '../../sms/template.ts';
import { codeUsages } from '../../sms/types.ts';
import { localeKeyProblem } from '../../config/locales.ts';

export const smsOtpConfigSchema = z.object({
  /** Digits in a code. @default 6 */
  codeLength: z.number().int().min(6).max(10).default(6),
  /** Seconds a code stays valid. @default 300 */
  ttlSeconds: z.number().int().min(60).max(600).default(300),
  /** Wrong guesses that kill a code. @default 5 */
  maxAttempts: z.number().int().min(1).max(5).default(5),
  /** Seconds before another code may be sent. @default 60 */
  resendCooldownSeconds: z.number().int().min(0).max(3600).default(60),
  /** Codes one interaction may be sent in all. @default 5 */
  maxSendsPerInteraction: z.number().int().min(1).max(10).default(5),
  /** Wrong guesses one interaction may make in all. @default 10 */
  maxFailuresPerInteraction: z.number().int().min(1).max(20).default(10),
  /** `numeric` digits, or `alphanumeric` without look-alike characters (matched case-insensitively). @default numeric */
  charset: z.enum(['numeric', 'alphanumeric']).default('numeric'),
  /** What the code is for; it is bound into the code and picks the default template. @default sign-in */
  usage: z.enum(codeUsages, { error: () => `a code step's usage is one with a code: ${codeUsages.join(', ')} (notices are sms-notify's)` }).default('sign-in'),
  /** Who gets the code: the flow's `phone`, or the candidate `new-phone` of a change-phone flow (proving it sets no `amr`). @default phone */
  sendTo: z.enum(['phone', 'new-phone']).default('phone'),
  /** Message templates by locale (`en`, `de`, …); they override the defaults for the usage. */
  templates: z.record(z.string(), z.string())
    .default({})
    .superRefine((templates, ctx) => {
      for (const [locale, source] of Object.entries(templates)) {
        const problem = localeKeyProblem(locale);
        if (problem) {
          ctx.addIssue({ code: 'custom', path: [locale], message: problem });
          continue;
        }
        try {
          compileTemplate(source);
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
          ctx.addIssue({ code: 'custom', path: [locale], message: `template ${err.message}` });
        }
      }
    }),
}).strict();

export type SmsOtpConfig = z.infer<typeof smsOtpConfigSchema>;
