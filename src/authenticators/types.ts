// The authenticator plugin shape (Keycloak's SPI, trimmed): a factory with a config schema,
// and an authenticator with authenticate (first entry) and action (form POST).
import type { z } from 'zod';
import type { Requirement } from '../flows/model.ts';
import type { Store, User } from '../store/types.ts';
import type { SmsQueue } from '../sms/delivery/worker.ts';
import type { Guard } from '../guard/index.ts';
import type { Usage } from '../sms/types.ts';

export type FlowErrorCode =
  | 'invalid_input' | 'code_invalid' | 'code_expired' | 'code_dead' | 'send_failed'
  | 'too_many_codes' | 'too_many_attempts' | 'resend_too_soon' | 'password_invalid' | 'password_rejected'
  | 'send_held' | 'locked';

export type StepResult =
  | { kind: 'success'; amr?: string }
  | { kind: 'attempted' }
  | { kind: 'challenge'; view: string; model?: Record<string, unknown> }
  | {
    kind: 'failure'; error: FlowErrorCode;
    /** More precise cause (send_failed: the SMS error code); src/web/errors.ts maps code and reason to a status. */
    reason?: string;
    view?: string; model?: Record<string, unknown>; ends?: boolean;
  };

/** What the flow knows about the person so far; shared by all steps of one interaction. */
export interface FlowSubject {
  phone?: string;
  userId?: string;
  /** A number typed (not proven) in another flow of this interaction: the phone page offers it. */
  phoneTyped?: string;
  /** The phone number an SMS code proved in this interaction. */
  phoneVerified?: string;
  /** Profile fields collected during registration. */
  profile?: { name?: string; email?: string };
  /** A new password's hash, applied when the flow completes (registration, reset). */
  newPasswordHash?: string;
  /** change-phone: the candidate new number (not the identity until the flow completes). */
  newPhone?: string;
  /** change-phone: the new number an SMS code proved in this interaction. */
  newPhoneVerified?: string;
  /** Messages queued only when the flow completes successfully (e.g. the notice to the old number). */
  pendingSms?: PendingSms[];
}

export interface PendingSms { to: string; body: string; usage: Usage; locale: string }

export interface StepContext<C> {
  config: C;
  stepId: string;
  /** `ip`: the client's address (from X-Forwarded-For only behind a trusted proxy). */
  interaction: { uid: string; locale: string; clientName: string; ip: string };
  subject: FlowSubject;
  /** The account behind subject.userId, when there is one. */
  user?: User;
  /** This step's own state, kept across requests; mutate it freely. */
  state: Record<string, unknown>;
  /** The POSTed form fields (strings only; anything else was refused before). */
  form: Record<string, string>;
}

export interface AuthenticatorDeps {
  store: Store;
  sms: SmsQueue;
  /** Sending limits and guessing lockouts, kept in the store: ask before sending or checking. */
  guard: Guard;
  /** Countries that may receive SMS (`sms.allowedCountries`, default the default region). */
  allowedCountries: readonly string[];
  appName: string;
  issuer: string;
  defaultRegion: string;
  otpKey: Buffer;
  passwords: PasswordHasher;
  /** Global SMS template overrides by usage then locale (config `sms.templates`). */
  templates: Partial<Record<string, Record<string, string>>>;
  now: () => number;
}

/** A non-condition step beside a condition in its sub-flow. */
export interface Sibling { id: string; authenticator: string; config: unknown }

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string | null, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
}

export interface Authenticator<C> {
  requiresUser: boolean;
  configuredFor?(user: User, config: C): Promise<boolean>;
  /** Condition authenticators only: whether the condition holds (drives CONDITIONAL sub-flows). */
  evaluate?(ctx: StepContext<C> & { siblings: Sibling[]; isConfigured(sibling: Sibling): Promise<boolean> }): Promise<boolean>;
  authenticate(ctx: StepContext<C>): Promise<StepResult>;
  action(ctx: StepContext<C>): Promise<StepResult>;
}

export interface AuthenticatorFactory<C> {
  id: string;
  displayName: string;
  /**
   * The name people see where they pick a way to sign in, by page locale (`{ de: 'Code per App' }`);
   * `displayName` (English) is the fallback. Built-ins take theirs from the page catalogue.
   */
  displayNames?: Readonly<Record<string, string>>;
  helpText: string;
  requirementChoices: readonly Requirement[];
  configSchema: z.ZodType<C>;
  defaultConfig: C;
  secretKeys?: readonly (keyof C)[];
  /** Needs an identified user (checked at load: some earlier step must identify one). */
  requiresUser?: boolean;
  /** A condition (Keycloak's "Condition - …"): evaluated inside CONDITIONAL sub-flows, never shown. */
  condition?: boolean;
  /** Finds the account (sets subject.userId): steps that need a user may follow it. */
  identifies?: boolean;
  /**
   * Checks the person (a code, a password): a sign-in flow needs one. Default: every step that
   * does not identify. A function decides by the step's config (a code to a new number proves only the number).
   */
  proves?: boolean | ((config: C) => boolean);
  create(deps: AuthenticatorDeps): Authenticator<C>;
}
