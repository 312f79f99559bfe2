// `twilio` connector config: account, auth token (secret), sender or Messaging Service.
import { z } from 'zod';

export const configSchema = z.object({
  type: z.literal('twilio'),
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits'),
  /** Secret: never logged, never shown. */
  authToken: z.string().min(1),
  from: z.string().optional(),
  messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/).optional(),
  /** Base URL of Twilio's API (tests point it at a local fake). */
  apiBaseUrl: z.string().url().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  /** Public URL of /sms/status/twilio; when set, Twilio reports delivery there (signed with authToken). */
  statusCallbackUrl: z.string().url().optional(),
}).strict().refine((c) => Boolean(c.from) !== Boolean(c.messagingServiceSid), {
  message: 'set exactly one of `from` or `messagingServiceSid`',
});
export type TwilioConfig = z.infer<typeof configSchema>;
export const secretKeys = ['authToken'] as const;
