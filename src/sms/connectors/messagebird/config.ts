// `messagebird` connector config: access key (secret), originator (sender), API origin, timeout.
import { z } from 'zod';

/**
 * MessageBird's `originator`: "a telephone number (including country code) or an alphanumeric
 * string; in case of an alphanumeric string, the maximum length is 11 characters" (their SDK
 * types and API reference). Letters and digits only; a number is 6-15 digits, optional `+`.
 */
const originator = z.string().regex(
  /^(?:[A-Za-z0-9]{1,11}|\+?[1-9][0-9]{5,14})$/,
  'must be 1-11 letters/digits, or a phone number with country code (up to 15 digits)',
);

export const configSchema = z.object({
  type: z.literal('messagebird'),
  /** Secret: never logged, never shown. Printable ASCII without spaces (it goes into a header). */
  accessKey: z.string().regex(/^[\x21-\x7e]+$/, 'must be a MessageBird access key'),
  originator,
  /** Origin of MessageBird's REST API (tests point it at a local fake). */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://rest.messagebird.com'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  /** Secret: the signing key that verifies status reports (MessageBird-Signature-JWT) at /sms/status/messagebird. */
  signingKey: z.string().min(16).optional(),
}).strict();
export type MessageBirdConfig = z.infer<typeof configSchema>;
export const secretKeys = ['accessKey', 'signingKey'] as const;
