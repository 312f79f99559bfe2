// `vonage` connector config: Vonage (formerly Nexmo) SMS API — API key, API secret (secret), sender.
import { z } from 'zod';

export const configSchema = z.object({
  type: z.literal('vonage'),
  apiKey: z.string().min(1),
  /** Secret: never logged, never shown. */
  apiSecret: z.string().min(1),
  /** A virtual number (international format, `+` optional) or an alphanumeric sender ID where the country allows one. */
  from: z.string().regex(
    /^(\+?\d{1,15}|(?=.*[^\d+])[\x20-\x7e]{1,11})$/,
    'must be a phone number in international format (up to 15 digits) or an alphanumeric sender ID of at most 11 characters',
  ),
  /** Base URL of the SMS API (tests point it at a local fake). */
  apiBaseUrl: z.string().url().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
}).strict();
export type VonageConfig = z.infer<typeof configSchema>;
export const secretKeys = ['apiSecret'] as const;
