// The flow runner: loads an interaction's flow state, runs the current step's authenticator and
// turns its result into what the web layer does next. Knows nothing of HTTP.
import { randomBytes } from 'node:crypto';
import type { Authenticator, AuthenticatorDeps, FlowSubject, Sibling, StepResult } from '../authenticators/types.ts';
import type { Store, User } from '../store/types.ts';
import type { LoadedFlow, LoadedStep } from './loader.ts';
import { alternativeChoices, isCondition, levelOf, nextStep, type Progress } from './next-step.ts';
import type { AnyFactory } from './registry.ts';
import type { Live } from '../live/index.ts';
import { AppError } from '../errors.ts';
import { noRecorder, type Recorder } from '../metrics/recorder.ts';

export interface FlowState {
  flowId: string;
  /** The flow version this interaction started on: it finishes on it, whatever an admin activates meanwhile. */
  flowVersion?: number;
  csrf: string;
  subject: FlowSubject;
  completed: string[];
  chosen: Record<string, string>;
  stepState: Record<string, Record<string, unknown>>;
  amr: string[];
  /** What the flow started with (change-phone: the signed-in account); a restart goes back to it. */
  origin?: FlowSubject;
  /** A message for the next page (e.g. why the flow changed). */
  notice?: string;
  /**
   * The page a form POST produced (an error, a new code sent), shown once by the GET its redirect
   * leads to (Post/Redirect/Get): Back, Forward and reload never resubmit a form.
   */
  flash?: Flash;
  ended?: { error: string; reason?: string };
}

/** Why a step refused (a code, never an HTTP status: src/web maps it). */
export interface Refusal { error: string; reason?: string }

export interface Choice { id: string; label: string; authenticator?: string; labels?: Readonly<Record<string, string>> }

/** A rendered step kept for the next GET (see FlowState.flash). */
export interface Flash { stepId: string; view: string; model: Record<string, unknown>; refusal?: Refusal; choices: Choice[] }

export type RunOutcome =
  | { kind: 'render'; stepId: string; view: string; model: Record<string, unknown>; refusal?: Refusal; choices: Choice[]; flow: LoadedFlow }
  | { kind: 'next' }
  | { kind: 'done'; flow: LoadedFlow; subject: FlowSubject; amr: string[] }
  | { kind: 'ended'; error: string; reason?: string }
  | { kind: 'stale' };

export interface InteractionInfo { uid: string; locale: string; clientName: string; expiresAt: number; ip: string }

export function createRunner(opts: {
  store: Store;
  live: Live;
  registry: Map<string, AnyFactory>;
  deps: AuthenticatorDeps;
  record?: Pick<Recorder, 'loginStarted' | 'loginFinished' | 'stepResult'>;
}) {
  const record = opts.record ?? noRecorder;
  const instances = new Map<string, Authenticator<unknown>>();
  for (const [id, factory] of opts.registry) instances.set(id, factory.create(opts.deps));
  const instance = (step: LoadedStep) => instances.get(step.authenticator!)!;
  // The revision each state object was read at (null: not stored yet), kept beside it, not in its JSON.
  const revs = new WeakMap<FlowState, number | null>();

  /**
   * Saves the state when nothing else wrote it since it was read (another tab, another instance
   * whose interaction lease ran out); otherwise refuses rather than overwrite what that write did.
   */
  async function put(info: InteractionInfo, state: FlowState): Promise<void> {
    const rev = await opts.store.flowState.put(info.uid, state, info.expiresAt, revs.get(state) ?? null);
    if (rev === undefined) {
      throw new AppError(409, 'interaction_conflict', { detail: 'the flow state changed since this request read it' });
    }
    revs.set(state, rev);
  }

  /** A write of the running flow: the interaction's first one starts the flow (counted once: a lost race writes nothing). */
  async function putRunning(info: InteractionInfo, state: FlowState): Promise<void> {
    const fresh = !revs.has(state);
    await put(info, state);
    if (fresh) record.loginStarted(state.flowId);
  }

  function flowOf(state: FlowState): LoadedFlow {
    const flow = opts.live.pinned(state.flowId, state.flowVersion);
    if (!flow) throw new Error(`flow '${state.flowId}' version ${String(state.flowVersion)} is not loaded`);
    return flow;
  }

  async function userOf(state: FlowState): Promise<User | undefined> {
    return state.subject.userId ? opts.store.users.findById(state.subject.userId) : undefined;
  }

  function context(info: InteractionInfo, state: FlowState, step: LoadedStep, form: Record<string, string>, user?: User) {
    state.stepState[step.id] ??= {};
    return {
      config: step.resolvedConfig,
      stepId: step.id,
      interaction: { uid: info.uid, locale: info.locale, clientName: info.clientName, ip: info.ip },
      subject: state.subject,
      ...(user ? { user } : {}),
      state: state.stepState[step.id]!,
      form,
    };
  }

  /** Evaluates every condition step of the flow for the current subject. */
  async function progress(info: InteractionInfo, state: FlowState, user?: User): Promise<Progress> {
    const conditions = new Map<string, boolean>();
    const walk = async (steps: LoadedStep[]) => {
      for (const step of steps) {
        if (step.steps) { await walk(step.steps); continue; }
        if (!isCondition(step)) continue;
        const siblings: Sibling[] = levelOf(flowOf(state).steps, step.id)!.steps
          .filter((s) => !s.condition && s.authenticator)
          .map((s) => ({ id: s.id, authenticator: s.authenticator!, config: s.resolvedConfig }));
        const holds = await instance(step).evaluate!({
          ...context(info, state, step, {}, user),
          siblings,
          isConfigured: async (sibling) => {
            const target = instances.get(sibling.authenticator);
            if (!user) return false;
            return target?.configuredFor ? target.configuredFor(user, sibling.config) : true;
          },
        });
        conditions.set(step.id, holds);
      }
    };
    await walk(flowOf(state).steps);
    return { completed: new Set(state.completed), conditions, chosen: state.chosen };
  }

  async function current(info: InteractionInfo, state: FlowState) {
    const user = await userOf(state);
    const p = await progress(info, state, user);
    return { user, p, step: nextStep(flowOf(state).steps, p) };
  }

  function choicesFor(state: FlowState, step: LoadedStep, p: Progress): Choice[] {
    const found = alternativeChoices(flowOf(state).steps, step.id, p);
    if (!found) return [];
    return found.options.filter((o) => o.id !== found.current).map(label);
  }

  const label = (o: LoadedStep): Choice => {
    const factory = o.authenticator ? opts.registry.get(o.authenticator) : undefined;
    return {
      id: o.id,
      label: factory?.displayName ?? o.id,
      ...(o.authenticator ? { authenticator: o.authenticator } : {}),
      ...(factory?.displayNames ? { labels: factory.displayNames } : {}),
    };
  };

  /**
   * The alternatives at the pending step's level when nobody has picked one yet: the person chooses
   * before any of them runs (so no SMS is sent to someone who will use a password).
   */
  function undecided(state: FlowState, step: LoadedStep, p: Progress): { levelId: string; options: Choice[] } | undefined {
    const found = alternativeChoices(flowOf(state).steps, step.id, p);
    if (!found || Object.hasOwn(state.chosen, found.levelId)) return undefined;
    return { levelId: found.levelId, options: found.options.map(label) };
  }

  /** The choice the page after this step will ask for, offered on this step's page (it is the same for everyone). */
  function upcoming(state: FlowState, step: LoadedStep, p: Progress): Choice[] {
    const after: Progress = { ...p, completed: new Set([...p.completed, step.id]) };
    const next = nextStep(flowOf(state).steps, after);
    return next ? undecided(state, next, after)?.options ?? [] : [];
  }

  /** A choice made on the previous page (`then`), when it names one of the alternatives now open. */
  async function applyThen(info: InteractionInfo, state: FlowState, then: string | undefined): Promise<void> {
    if (!then) return;
    const { step, p } = await current(info, state);
    const open = step ? undecided(state, step, p) : undefined;
    if (open?.options.some((o) => o.id === then)) state.chosen[open.levelId] = then;
  }

  /**
   * Turns a step result into an outcome and saves the state (one write). From a POST (`post`),
   * a page to show is kept as the state's flash for the GET the redirect leads to.
   */
  async function apply(info: InteractionInfo, state: FlowState, step: LoadedStep, result: StepResult, p: Progress, post?: { then?: string }): Promise<RunOutcome> {
    record.stepResult(step.authenticator!, result);
    const outcome = await outcomeOf(info, state, step, result, p, post?.then);
    if (post && outcome.kind === 'render') {
      const { kind: _, flow: __, ...flash } = outcome;
      state.flash = flash;
    }
    await putRunning(info, state);
    if (outcome.kind === 'ended') record.loginFinished(state.flowId, 'failed');
    return outcome;
  }

  async function outcomeOf(info: InteractionInfo, state: FlowState, step: LoadedStep, result: StepResult, p: Progress, then?: string): Promise<RunOutcome> {
    switch (result.kind) {
      case 'success':
        state.completed.push(step.id);
        if (result.amr && !state.amr.includes(result.amr)) state.amr.push(result.amr);
        await applyThen(info, state, then);
        return { kind: 'next' };
      case 'attempted':
        return { kind: 'next' };
      case 'challenge': {
        const notice = state.notice;
        delete state.notice;
        const next = upcoming(state, step, p);
        return {
          kind: 'render', stepId: step.id, view: result.view,
          model: { ...result.model, ...(notice ? { notice } : {}), ...(next.length ? { then: next } : {}) },
          choices: choicesFor(state, step, p), flow: flowOf(state),
        };
      }
      case 'failure':
        if (result.ends || !result.view) {
          state.ended = { error: result.error, ...(result.reason ? { reason: result.reason } : {}) };
          return { kind: 'ended', ...state.ended };
        }
        const next = upcoming(state, step, p);
        return {
          kind: 'render', stepId: step.id, view: result.view, model: { ...result.model, error: result.error, ...(next.length ? { then: next } : {}) },
          refusal: { error: result.error, ...(result.reason ? { reason: result.reason } : {}) }, choices: choicesFor(state, step, p), flow: flowOf(state),
        };
    }
  }

  return {
    /** The interaction's state, or a new one (saved by the first step result: one write per request). */
    async state(uid: string, flowId: string, origin?: FlowSubject): Promise<FlowState> {
      const stored = await opts.store.flowState.get<FlowState>(uid);
      if (stored) {
        const existing = await opts.live.pin(stored.state.flowId, stored.state.flowVersion)
          ? stored.state
          : { ...stored.state, ended: { error: 'session_not_found' } }; // its flow was deleted
        revs.set(existing, stored.rev);
        return existing;
      }
      return { flowId, flowVersion: opts.live.current().flows.get(flowId)?.version, csrf: randomBytes(24).toString('base64url'), subject: { ...origin }, completed: [], chosen: {}, stepState: {}, amr: [], ...(origin ? { origin } : {}) };
    },

    /** Saves the state (refused with a 409 `interaction_conflict` when it was written since it was read). */
    save: put,

    /**
     * Marks the flow as finished before the sign-in is handed to the provider, in one rev-checked
     * write: whatever request of this interaction comes after (a double-click, a reload, a request
     * through another instance) finds it ended and cannot sign in a second time.
     */
    async finished(info: InteractionInfo, state: FlowState): Promise<void> {
      state.ended = { error: 'already_signed_in' };
      delete state.flash;
      await put(info, state);
      record.loginFinished(state.flowId, 'success');
    },

    hasFlow: (id: string) => opts.live.current().flows.has(id),

    /**
     * Moves the interaction to another flow. With `carry`, what this interaction proved (the
     * verified phone) goes along, so the person is not asked for a second code.
     */
    async switchFlow(info: InteractionInfo, state: FlowState, flowId: string, carry: boolean, notice?: string): Promise<void> {
      const target = opts.live.current().flows.get(flowId);
      if (state.ended || !target) return;
      const from = revs.has(state) ? state.flowId : undefined; // a flow that started (its state was written)
      // A proven number goes along as proven; a typed one only fills in the next phone page.
      const { phone, phoneVerified } = state.subject;
      const subject: FlowSubject = !carry ? {}
        : phoneVerified ? { phone: phoneVerified, phoneVerified }
          : phone ? { phoneTyped: phone } : {};
      Object.assign(state, { flowId, flowVersion: target.version, subject, completed: [], chosen: {}, stepState: {}, amr: carry ? state.amr : [] });
      delete state.flash;
      if (notice) state.notice = notice;
      else delete state.notice;
      await put(info, state);
      if (from) record.loginFinished(from, 'switched');
      record.loginStarted(flowId);
    },

    /** Starts the flow over (another phone number); send and failure caps are kept. */
    async restart(info: InteractionInfo, state: FlowState): Promise<void> {
      if (state.ended) return;
      Object.assign(state, { subject: { ...state.origin }, completed: [], chosen: {}, stepState: {}, amr: [] });
      delete state.notice;
      delete state.flash;
      await putRunning(info, state);
    },

    /** Picks another alternative ("Try another way") at the level of the current step. */
    async choose(info: InteractionInfo, state: FlowState, alternativeId: string): Promise<void> {
      if (state.ended) return;
      const { step, p } = await current(info, state);
      if (!step) return;
      const found = alternativeChoices(flowOf(state).steps, step.id, p);
      if (!found?.options.some((o) => o.id === alternativeId)) return;
      state.chosen[found.levelId] = alternativeId;
      delete state.flash;
      await putRunning(info, state);
    },

    /** GET: show the current step (running its authenticate), or report the flow done. */
    async show(info: InteractionInfo, state: FlowState): Promise<RunOutcome> {
      if (state.ended) return { kind: 'ended', ...state.ended };
      if (state.flash) {
        // The page the last POST produced, once: a reload shows the step afresh.
        const flash = state.flash;
        delete state.flash;
        await put(info, state);
        return { kind: 'render', ...flash, flow: flowOf(state) };
      }
      const { user, p, step } = await current(info, state);
      if (!step) return { kind: 'done', flow: flowOf(state), subject: state.subject, amr: state.amr };
      const open = undecided(state, step, p);
      if (open) {
        const notice = state.notice;
        delete state.notice;
        await putRunning(info, state);
        return { kind: 'render', stepId: step.id, view: 'choose', model: { options: open.options, ...(notice ? { notice } : {}) }, choices: [], flow: flowOf(state) };
      }
      const result = await instance(step).authenticate(context(info, state, step, {}, user));
      return apply(info, state, step, result, p);
    },

    /** POST: run the current step's action with the submitted form. */
    async submit(info: InteractionInfo, state: FlowState, stepId: string, form: Record<string, string>): Promise<RunOutcome> {
      if (state.ended) return { kind: 'ended', ...state.ended };
      const { user, p, step } = await current(info, state);
      if (!step || step.id !== stepId) return { kind: 'stale' };
      // Nobody has picked among these alternatives yet: the choice page comes first (no SMS before it).
      if (undecided(state, step, p)) return { kind: 'stale' };
      const result = await instance(step).action(context(info, state, step, form, user));
      const outcome = await apply(info, state, step, result, p, { then: form.then });
      if (outcome.kind === 'next' && !(await current(info, state)).step) {
        return { kind: 'done', flow: flowOf(state), subject: state.subject, amr: state.amr };
      }
      return outcome;
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
