// The flow runner: loads an interaction's flow state, runs the current step's authenticator and
// turns its result into what the web layer does next. Knows nothing of HTTP.
import { randomBytes } from 'node:crypto';
import type { Authenticator, AuthenticatorDeps, FlowSubject, StepResult } from '../authenticators/types.ts';
import type { Store } from '../store/types.ts';
import type { LoadedFlow, LoadedStep } from './loader.ts';
import { nextStep } from './next-step.ts';
import type { AnyFactory } from './registry.ts';

export interface FlowState {
  flowId: string;
  csrf: string;
  subject: FlowSubject;
  completed: string[];
  stepState: Record<string, Record<string, unknown>>;
  amr: string[];
  ended?: { error: string; status: number };
}

export type RunOutcome =
  | { kind: 'render'; stepId: string; view: string; model: Record<string, unknown>; status: number }
  | { kind: 'next' }
  | { kind: 'done'; subject: FlowSubject; amr: string[] }
  | { kind: 'ended'; error: string; status: number }
  | { kind: 'stale' };

export interface InteractionInfo { uid: string; locale: string; clientName: string; expiresAt: number }

export function createRunner(opts: {
  store: Store;
  flows: Map<string, LoadedFlow>;
  registry: Map<string, AnyFactory>;
  deps: AuthenticatorDeps;
}) {
  const instances = new Map<string, Authenticator<unknown>>();
  for (const [id, factory] of opts.registry) instances.set(id, factory.create(opts.deps));

  /** The interaction's state, or a new one (saved by the first step result: one write per request). */
  async function loadState(uid: string, flowId: string): Promise<FlowState> {
    const existing = await opts.store.flowState.get<FlowState>(uid);
    if (existing) return existing;
    return { flowId, csrf: randomBytes(24).toString('base64url'), subject: {}, completed: [], stepState: {}, amr: [] };
  }

  async function apply(info: InteractionInfo, state: FlowState, step: LoadedStep, result: StepResult): Promise<RunOutcome> {
    const save = () => opts.store.flowState.put(info.uid, state, info.expiresAt);
    switch (result.kind) {
      case 'success':
        state.completed.push(step.id);
        if (result.amr && !state.amr.includes(result.amr)) state.amr.push(result.amr);
        await save();
        return { kind: 'next' };
      case 'attempted':
        await save();
        return { kind: 'next' };
      case 'challenge':
        await save();
        return { kind: 'render', stepId: step.id, view: result.view, model: result.model ?? {}, status: 200 };
      case 'failure':
        if (result.ends || !result.view) {
          state.ended = { error: result.error, status: result.status ?? 400 };
          await save();
          return { kind: 'ended', ...state.ended };
        }
        await save();
        return { kind: 'render', stepId: step.id, view: result.view, model: { ...result.model, error: result.error }, status: result.status ?? 400 };
    }
  }

  function flowOf(state: FlowState): LoadedFlow {
    const flow = opts.flows.get(state.flowId);
    if (!flow) throw new Error(`flow '${state.flowId}' is not loaded`);
    return flow;
  }

  function context(info: InteractionInfo, state: FlowState, step: LoadedStep, form: Record<string, string>) {
    state.stepState[step.id] ??= {};
    return {
      config: step.resolvedConfig,
      stepId: step.id,
      interaction: { uid: info.uid, locale: info.locale, clientName: info.clientName },
      subject: state.subject,
      state: state.stepState[step.id]!,
      form,
    };
  }

  return {
    state: loadState,

    async save(info: InteractionInfo, state: FlowState): Promise<void> {
      await opts.store.flowState.put(info.uid, state, info.expiresAt);
    },

    /** Starts the flow over (another phone number); send and failure caps are kept. */
    async restart(info: InteractionInfo, state: FlowState): Promise<void> {
      if (state.ended) return;
      Object.assign(state, { subject: {}, completed: [], stepState: {}, amr: [] });
      await opts.store.flowState.put(info.uid, state, info.expiresAt);
    },

    /** GET: show the current step (running its authenticate), or report the flow done. */
    async show(info: InteractionInfo, state: FlowState): Promise<RunOutcome> {
      if (state.ended) return { kind: 'ended', ...state.ended };
      const step = nextStep(flowOf(state).steps, new Set(state.completed));
      if (!step) return { kind: 'done', subject: state.subject, amr: state.amr };
      const result = await instances.get(step.authenticator!)!.authenticate(context(info, state, step, {}));
      return apply(info, state, step, result);
    },

    /** POST: run the current step's action with the submitted form. */
    async submit(info: InteractionInfo, state: FlowState, stepId: string, form: Record<string, string>): Promise<RunOutcome> {
      if (state.ended) return { kind: 'ended', ...state.ended };
      const step = nextStep(flowOf(state).steps, new Set(state.completed));
      if (!step || step.id !== stepId) return { kind: 'stale' };
      const result = await instances.get(step.authenticator!)!.action(context(info, state, step, form));
      const outcome = await apply(info, state, step, result);
      if (outcome.kind === 'next' && !nextStep(flowOf(state).steps, new Set(state.completed))) {
        return { kind: 'done', subject: state.subject, amr: state.amr };
      }
      return outcome;
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
