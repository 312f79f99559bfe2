// `textlocal` connector config: credentials (API key, or username + hash; both secret), sender,
// API origin, timeout.
import { z } from 'zod';

/** Printable ASCII without spaces: credentials go into a form body and must not be mangled. */
const credential = z.string().regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const configSchema = z.object({
  type: z.literal('textlocal'),
  /** Secret. Set this, or `username` + `hash`. */
  apiKey: credential.optional(),
  /** The account's login (email address). Only with `hash`. */
  username: z.string().min(1).optional(),
  /** Secret: the account's secure hash (Textlocal: Settings → API Keys). Only with `username`. */
  hash: credential.optional(),
  /**
   * Sender name shown on the phone. Textlocal: at most 11 characters (alphanumeric);
   * the 3-character minimum is from Textlocal's docs as remembered, not re-checked.
   */
  sender: z.string().regex(/^[A-Za-z0-9]{3,11}$/, 'must be 3-11 letters or digits'),
  /** Origin of Textlocal's API (UK: api.txtlocal.com; India: api.textlocal.in; tests: a local fake). */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://api.txtlocal.com'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
}).strict().superRefine((c, ctx) => {
  const viaKey = c.apiKey !== undefined;
  const viaLogin = c.username !== undefined || c.hash !== undefined;
  if (viaKey && viaLogin) {
    ctx.addIssue({ code: 'custom', message: 'set either `apiKey` or `username` + `hash`, not both', path: ['apiKey'] });
  } else if (!viaKey && (c.username === undefined || c.hash === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'set `apiKey`, or both `username` and `hash`', path: [c.username === undefined ? 'username' : 'hash'] });
  }
});
export type TextlocalConfig = z.infer<typeof configSchema>;
export const secretKeys = ['apiKey', 'hash'] as const;
