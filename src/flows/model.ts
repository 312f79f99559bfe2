// The flow file format (zod): ordered steps, each an authenticator or a sub-flow, with a requirement.
import { z } from 'zod';

export const requirements = ['REQUIRED', 'ALTERNATIVE', 'CONDITIONAL', 'DISABLED'] as const;
export type Requirement = (typeof requirements)[number];

const stepId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes, starting with a letter');

export interface StepDef {
  id: string;
  requirement: Requirement;
  authenticator?: string;
  config?: Record<string, unknown>;
  steps?: StepDef[];
}

export const stepSchema: z.ZodType<StepDef> = z.lazy(() => z.object({
  id: stepId,
  requirement: z.enum(requirements),
  authenticator: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(stepSchema).min(1).optional(),
}).strict().refine((s) => Boolean(s.authenticator) !== Boolean(s.steps), {
  message: 'a step has either `authenticator` or `steps` (a sub-flow), not both',
}));

export const flowKinds = ['sign-in', 'register', 'reset-credentials', 'change-phone'] as const;
export type FlowKind = (typeof flowKinds)[number];

export const flowSchema = z.object({
  id: stepId,
  description: z.string().optional(),
  /** What completing the flow does: sign in, create the account, set the new password, or change the signed-in account's phone. */
  kind: z.enum(flowKinds).default('sign-in'),
  /** reset-credentials only: after the reset, sign the person in (`login`) or show sign-in again. */
  afterReset: z.enum(['sign-in', 'login']).default('sign-in'),
  steps: z.array(stepSchema).min(1),
}).strict();

export type FlowDef = z.infer<typeof flowSchema>;
