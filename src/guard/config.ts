// The `limits:` config key: every abuse limit flowgate keeps, with secure defaults on.
import { z } from 'zod';
import { KEEP_FAILURES } from '../store/types.ts';

const perWindow = (hour: number, day: number) => z.object({
  /** At most this many in any sliding hour. */
  hour: z.number().int().min(1).max(10_000_000).default(hour),
  /** At most this many in any sliding 24 hours. */
  day: z.number().int().min(1).max(100_000_000).default(day),
}).strict().default({ hour, day });

export const limitsSchema = z.object({
  /** Off only for a benchmark's baseline; refused with NODE_ENV=production. @default true */
  enabled: z.boolean().default(true),
  sms: z.object({
    /** Seconds between two codes to one number, across interactions and flows. @default 60 */
    cooldownSeconds: z.number().int().min(0).max(3600).default(60),
    /** Codes to one number. @default 5 an hour, 10 a day */
    perNumber: perWindow(5, 10),
    /** Codes requested from one client IP (behind `trustProxy`, the proxy's X-Forwarded-For). @default 20 an hour, 100 a day */
    perIp: perWindow(20, 100),
    /** Distinct numbers in one prefix (the number without its last `dropDigits` digits) in `windowMinutes`: stops a sequential sweep. */
    perPrefix: z.object({
      dropDigits: z.number().int().min(1).max(8).default(4),
      distinctNumbers: z.number().int().min(1).max(100_000).default(20),
      windowMinutes: z.number().int().min(1).max(1440).default(10),
    }).strict().default({ dropDigits: 4, distinctNumbers: 20, windowMinutes: 10 }),
    /** Every message flowgate sends (codes and notices); a breach stops sending and logs an alert. @default 1000 an hour, 10000 a day */
    global: perWindow(1_000, 10_000),
    /** Optional budgets per destination country (ISO 3166 alpha-2), e.g. `{ GB: { hour: 50, day: 200 } }`. */
    perCountry: z.record(z.string().length(2).toUpperCase(), perWindow(1_000, 10_000)).default({}),
  }).strict().default({
    cooldownSeconds: 60, perNumber: { hour: 5, day: 10 }, perIp: { hour: 20, day: 100 },
    perPrefix: { dropDigits: 4, distinctNumbers: 20, windowMinutes: 10 }, global: { hour: 1_000, day: 10_000 }, perCountry: {},
  }),
  guessing: z.object({
    /** Consecutive failed proofs (codes and passwords together) per account and number before a lockout. @default 10 */
    lockoutAfter: z.number().int().min(3).max(50).default(10),
    /** Lockout lengths for the failure at the threshold and each one after it; the last repeats. @default [1, 5, 15, 60] */
    lockoutMinutes: z.array(z.number().int().min(1).max(1440)).min(1).max(20).default([1, 5, 15, 60]),
    /** Consecutive failures after which only an admin unlock or a reset by SMS opens the account. @default 100 */
    hardLockAfter: z.number().int().min(KEEP_FAILURES).max(1000).default(100),
    /** Failed proofs from one client IP (IPv6: its /64) in any hour, whatever the numbers: stops password spraying. @default 30 */
    failuresPerIpPerHour: z.number().int().min(1).max(10_000_000).default(30),
  }).strict().default({ lockoutAfter: 10, lockoutMinutes: [1, 5, 15, 60], hardLockAfter: 100, failuresPerIpPerHour: 30 }),
}).strict();

export type LimitsConfig = z.infer<typeof limitsSchema>;
