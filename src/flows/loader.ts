// Loads flows/*.yaml, validates each against the flow schema and each step's config against its
// authenticator's schema. Every refusal names the file, the step and the field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { flowSchema, type FlowDef, type StepDef } from './model.ts';
import type { AnyFactory } from './registry.ts';
import { checkChangePhone } from './check-change-phone.ts';

export class FlowError extends Error {
  override name = 'FlowError';
}

export interface LoadedStep extends StepDef {
  /** Validated config with defaults applied (leaf steps only). */
  resolvedConfig?: unknown;
  /** The authenticator is a condition (evaluated, never shown). */
  condition?: boolean;
  /** The authenticator needs an identified user before it can run. */
  requiresUser?: boolean;
  steps?: LoadedStep[];
}
export interface LoadedFlow { id: string; file: string; kind: FlowDef['kind']; afterReset: FlowDef['afterReset']; steps: LoadedStep[] }

function describe(path: PropertyKey[], flow: unknown): string {
  // Turn ['steps', 1, 'steps', 0, 'config', 'ttlSeconds'] into step 'sms', field 'config.ttlSeconds'.
  let node = flow as { steps?: unknown[] } | undefined;
  let step = '(flow)';
  let i = 0;
  while (path[i] === 'steps' && typeof path[i + 1] === 'number' && node?.steps) {
    node = node.steps[path[i + 1] as number] as { id?: string; steps?: unknown[] } | undefined;
    step = `'${(node as { id?: string } | undefined)?.id ?? `#${String(path[i + 1])}`}'`;
    i += 2;
  }
  const field = path.slice(i).map(String).join('.') || '(step)';
  return `step ${step}, field ${field}`;
}

function checkSteps(file: string, steps: StepDef[], registry: Map<string, AnyFactory>, seen: Set<string>, parent?: StepDef): LoadedStep[] {
  return steps.map((step) => {
    const where = `${file}: step '${step.id}'`;
    if (seen.has(step.id)) throw new FlowError(`${where}, field id: duplicate step id`);
    seen.add(step.id);
    if (step.steps) {
      const children = checkSteps(file, step.steps, registry, seen, step);
      const conditions = children.filter((c) => c.condition);
      if (step.requirement === 'CONDITIONAL' && conditions.length === 0) {
        throw new FlowError(`${where}, field steps: a CONDITIONAL sub-flow needs at least one condition step (condition-user-configured, condition-user-attribute)`);
      }
      if (step.requirement !== 'DISABLED' && !children.some((c) => !c.condition && c.requirement !== 'DISABLED')) {
        throw new FlowError(`${where}, field steps: the sub-flow can never finish: every step in it is disabled or a condition`);
      }
      return { ...step, steps: children };
    }
    if (step.requirement === 'CONDITIONAL') {
      throw new FlowError(`${where}, field requirement: CONDITIONAL applies to sub-flows (a step with \`steps\`), not to a single authenticator`);
    }
    const factory = registry.get(step.authenticator!);
    if (!factory) {
      throw new FlowError(`${where}, field authenticator: unknown authenticator '${step.authenticator}' (known: ${[...registry.keys()].join(', ')})`);
    }
    if (!factory.requirementChoices.includes(step.requirement)) {
      throw new FlowError(`${where}, field requirement: ${factory.id} allows ${factory.requirementChoices.join(', ')}, not ${step.requirement}`);
    }
    const parsed = factory.configSchema.safeParse(step.config ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new FlowError(`${where}, field config.${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
    }
    if (factory.condition && parent?.requirement !== 'CONDITIONAL') {
      throw new FlowError(`${where}, field authenticator: ${factory.id} is a condition and belongs inside a CONDITIONAL sub-flow`);
    }
    const requiresUser = Boolean(factory.requiresUser);
    return { ...step, resolvedConfig: parsed.data, ...(factory.condition ? { condition: true } : {}), ...(requiresUser ? { requiresUser } : {}) };
  });
}

const IDENTIFIES_ONLY = new Set(['identify-phone', 'register-profile', 'set-password', 'sms-notify', 'new-phone']);

/** A code to the candidate new number proves that number, not the person. */
const provesNewPhoneOnly = (s: LoadedStep) => (s.resolvedConfig as { sendTo?: string } | undefined)?.sendTo === 'new-phone';

/** Whether any enabled, non-condition step could prove who the person is. */
function provesSomething(steps: LoadedStep[]): boolean {
  return steps.some((s) => s.requirement !== 'DISABLED' && !s.condition
    && (s.steps ? provesSomething(s.steps) : !IDENTIFIES_ONLY.has(s.authenticator!) && !provesNewPhoneOnly(s)));
}

/** A step that needs a user must come after a step that identifies one. */
function checkUserOrder(file: string, steps: LoadedStep[], identified: { value: boolean }): void {
  for (const step of steps) {
    if (step.steps) { checkUserOrder(file, step.steps, identified); continue; }
    if (step.requirement === 'DISABLED') continue;
    if (step.authenticator === 'identify-phone') identified.value = true;
    else if (step.requiresUser && !identified.value) {
      throw new FlowError(`${file}: step '${step.id}', field authenticator: ${step.authenticator} needs a user, but no earlier step identifies one, so the flow can never finish`);
    }
  }
}

export function loadFlowText(file: string, text: string, registry: Map<string, AnyFactory>): LoadedFlow {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new FlowError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = flowSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new FlowError(`${file}: ${describe(issue.path, raw)}: ${issue.message}`);
  }
  const flow: FlowDef = result.data;
  const steps = checkSteps(file, flow.steps, registry, new Set());
  if (!steps.some((s) => !s.condition && s.requirement !== 'DISABLED')) {
    throw new FlowError(`${file}: step (flow), field steps: the flow can never finish: every step is disabled`);
  }
  // A change-phone flow starts with the signed-in account (from the provider session) identified.
  checkUserOrder(file, steps, { value: flow.kind === 'change-phone' });
  if (flow.kind === 'sign-in' && !provesSomething(steps)) {
    throw new FlowError(`${file}: step (flow), field steps: a sign-in flow needs at least one enabled step that checks the person (e.g. sms-otp or password)`);
  }
  if (flow.kind === 'change-phone' && !provesSomething(steps)) {
    throw new FlowError(`${file}: step (flow), field steps: a change-phone flow needs at least one enabled step that re-authenticates the signed-in person (sms-otp to the current phone, or password)`);
  }
  checkChangePhone(file, flow.kind, steps);
  return { id: flow.id, file, kind: flow.kind, afterReset: flow.afterReset, steps };
}

export function loadFlows(dir: string, registry: Map<string, AnyFactory>): Map<string, LoadedFlow> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (err) {
    throw new FlowError(`${dir}: cannot read the flows directory: ${(err as Error).message}`);
  }
  const flows = new Map<string, LoadedFlow>();
  for (const name of names) {
    const file = join(dir, name);
    const flow = loadFlowText(file, readFileSync(file, 'utf8'), registry);
    if (flows.has(flow.id)) throw new FlowError(`${file}: field id: flow '${flow.id}' is defined twice`);
    flows.set(flow.id, flow);
  }
  return flows;
}
