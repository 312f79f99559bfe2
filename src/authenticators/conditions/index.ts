// Condition authenticators (Keycloak's "Condition - …"): evaluated inside CONDITIONAL sub-flows.
// `condition-user-configured`: every other step of the sub-flow is set up for this user.
// `condition-user-attribute`: a user attribute (or name/email/phone) equals a value.
import { z } from 'zod';
import type { Authenticator, AuthenticatorFactory } from '../types.ts';

const never = async (): Promise<never> => { throw new Error('a condition is evaluated, never shown'); };
const conditionOnly = (evaluate: Authenticator<never>['evaluate']) => ({ requiresUser: false, authenticate: never, action: never, evaluate });

const configuredSchema = z.object({}).strict();
export const conditionUserConfigured: AuthenticatorFactory<z.infer<typeof configuredSchema>> = {
  id: 'condition-user-configured',
  displayName: 'Condition - user configured',
  helpText: 'Holds when the user has set up every other step of this sub-flow (e.g. has a phone, has a password).',
  requirementChoices: ['REQUIRED', 'DISABLED'],
  condition: true,
  configSchema: configuredSchema,
  defaultConfig: {},
  create: () => conditionOnly(async (ctx) => {
    if (!ctx.user) return false;
    const results = await Promise.all(ctx.siblings.map((s) => ctx.isConfigured(s)));
    return results.every(Boolean);
  }) as Authenticator<z.infer<typeof configuredSchema>>,
};

const attributeSchema = z.object({
  /** `name`, `email`, `phone` or a custom attribute. */
  attribute: z.string().min(1).max(64),
  value: z.string().max(256),
  /** Holds when the attribute does NOT equal the value. @default false */
  negate: z.boolean().default(false),
}).strict();
type AttributeConfig = z.infer<typeof attributeSchema>;

export const conditionUserAttribute: AuthenticatorFactory<AttributeConfig> = {
  id: 'condition-user-attribute',
  displayName: 'Condition - user attribute',
  helpText: 'Holds when a user attribute equals the configured value (or does not, with negate).',
  requirementChoices: ['REQUIRED', 'DISABLED'],
  condition: true,
  configSchema: attributeSchema,
  defaultConfig: { attribute: 'role', value: '', negate: false },
  create: () => conditionOnly(async (ctx) => {
    const { attribute, value, negate } = (ctx as unknown as { config: AttributeConfig }).config;
    const user = ctx.user;
    if (!user) return false;
    const builtin: Record<string, string | null> = { name: user.name, email: user.email, phone: user.phone };
    const actual = attribute in builtin ? builtin[attribute] : user.attributes[attribute];
    return (actual === value) !== negate;
  }) as Authenticator<AttributeConfig>,
};
