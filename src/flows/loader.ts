// Loads flows/*.yaml, validates each against the flow schema and each step's config against its
// authenticator's schema. Every refusal names the file, the step and the field (a misspelt key with
// the key it probably meant).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { flowSchema, type FlowDef, type StepDef } from './model.ts';
import type { AnyFactory } from './registry.ts';
import { checkChangePhone } from './check-change-phone.ts';
import { pointer } from '../errors.ts';
import { explainIssues } from '../config/unknown-keys.ts';
import { closest } from '../config/did-you-mean.ts';

export class FlowError extends Error {
  override name = 'FlowError';
  /** Where in the flow document (a JSON pointer), and the refusal without the file and step prefix. */
  constructor(message: string, readonly pointer = '', readonly detail = message) {
    super(message);
  }
}

export interface LoadedStep extends StepDef {
  /** Validated config with defaults applied (leaf steps only). */
  resolvedConfig?: unknown;
  /** The authenticator is a condition (evaluated, never shown). */
  condition?: boolean;
  /** The authenticator needs an identified user before it can run. */
  requiresUser?: boolean;
  /** The authenticator identifies the user (from the factory's metadata). */
  identifies?: boolean;
  /** The authenticator checks the person (a code, a password), from the factory's metadata. */
  proves?: boolean;
  steps?: LoadedStep[];
}
export interface LoadedFlow {
  id: string;
  file: string;
  kind: FlowDef['kind'];
  afterReset: FlowDef['afterReset'];
  steps: LoadedStep[];
  /** The stored version this is (0: read from a file, not from the store). */
  version: number;
  /** The document as validated (what the admin API returns and exports). */
  document: FlowDef;
}

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

function checkSteps(file: string, steps: StepDef[], registry: Map<string, AnyFactory>, seen: Set<string>, at: (string | number)[], parent?: StepDef): LoadedStep[] {
  return steps.map((step, index) => {
    const path = [...at, 'steps', index];
    const refuse = (field: string, detail: string, sub: (string | number)[] = [field]) =>
      new FlowError(`${file}: step '${step.id}', field ${field}: ${detail}`, pointer([...path, ...sub]), detail);
    if (seen.has(step.id)) throw refuse('id', 'duplicate step id');
    seen.add(step.id);
    if (step.steps) {
      const children = checkSteps(file, step.steps, registry, seen, path, step);
      const conditions = children.filter((c) => c.condition);
      if (step.requirement === 'CONDITIONAL' && conditions.length === 0) {
        throw refuse('steps', 'a CONDITIONAL sub-flow needs at least one condition step (condition-user-configured, condition-user-attribute)');
      }
      if (step.requirement !== 'DISABLED' && !children.some((c) => !c.condition && c.requirement !== 'DISABLED')) {
        throw refuse('steps', 'the sub-flow can never finish: every step in it is disabled or a condition');
      }
      return { ...step, steps: children };
    }
    if (step.requirement === 'CONDITIONAL') {
      throw refuse('requirement', 'CONDITIONAL applies to sub-flows (a step with `steps`), not to a single authenticator');
    }
    const factory = registry.get(step.authenticator!);
    if (!factory) {
      const guess = closest(step.authenticator!, [...registry.keys()]);
      throw refuse('authenticator', guess ? `unknown authenticator '${step.authenticator}'; did you mean '${guess}'?`
        : `unknown authenticator '${step.authenticator}' (known: ${[...registry.keys()].join(', ')})`);
    }
    if (!factory.requirementChoices.includes(step.requirement)) {
      throw refuse('requirement', `${factory.id} allows ${factory.requirementChoices.join(', ')}, not ${step.requirement}`);
    }
    const parsed = factory.configSchema.safeParse(step.config ?? {});
    if (!parsed.success) {
      const issue = explainIssues(factory.configSchema, step.config ?? {}, parsed.error.issues)[0]!;
      throw refuse(`config.${issue.path.map(String).join('.') || '(root)'}`, issue.message, ['config', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))]);
    }
    if (factory.condition && parent?.requirement !== 'CONDITIONAL') {
      throw refuse('authenticator', `${factory.id} is a condition and belongs inside a CONDITIONAL sub-flow`);
    }
    const requiresUser = Boolean(factory.requiresUser);
    const proves = typeof factory.proves === 'function' ? factory.proves(parsed.data) : factory.proves ?? !factory.identifies;
    return {
      ...step, resolvedConfig: parsed.data, ...(factory.condition ? { condition: true } : {}), ...(requiresUser ? { requiresUser } : {}),
      ...(factory.identifies ? { identifies: true } : {}), ...(proves && !factory.condition ? { proves: true } : {}),
    };
  });
}

/** Whether any enabled, non-condition step could prove who the person is. */
function provesSomething(steps: LoadedStep[]): boolean {
  return steps.some((s) => s.requirement !== 'DISABLED' && !s.condition && (s.steps ? provesSomething(s.steps) : Boolean(s.proves)));
}

/** A step that needs a user must come after a step that identifies one. */
function checkUserOrder(file: string, steps: LoadedStep[], identified: { value: boolean }): void {
  for (const step of steps) {
    if (step.steps) { checkUserOrder(file, step.steps, identified); continue; }
    if (step.requirement === 'DISABLED') continue;
    if (step.identifies) identified.value = true;
    else if (step.requiresUser && !identified.value) {
      const detail = `${step.authenticator} needs a user, but no earlier step identifies one, so the flow can never finish`;
      throw new FlowError(`${file}: step '${step.id}', field authenticator: ${detail}`, stepPointer(steps, step.id), detail);
    }
  }
}

/** The JSON pointer of a step by id (for refusals found after the walk). */
function stepPointer(all: readonly StepDef[], id: string, at = ''): string {
  for (const [i, s] of all.entries()) {
    const here = `${at}/steps/${i}`;
    if (s.id === id) return `${here}/authenticator`;
    const inner = s.steps ? stepPointer(s.steps, id, here) : '';
    if (inner) return inner;
  }
  return '';
}

/**
 * Validates a flow document (parsed YAML or JSON) as start-up does: the file format, every step's
 * config against its authenticator's schema, and whether the flow can finish. `file` names it in messages.
 */
export function validateFlow(raw: unknown, registry: Map<string, AnyFactory>, file: string, version = 0): LoadedFlow {
  const result = flowSchema.safeParse(raw);
  if (!result.success) {
    // A misspelt key first, with the key it probably meant (`requirment` → 'requirement').
    const issue = explainIssues(flowSchema, raw, result.error.issues)[0]!;
    throw new FlowError(`${file}: ${describe(issue.path, raw)}: ${issue.message}`, pointer(issue.path), issue.message);
  }
  const flow: FlowDef = result.data;
  const whole = (detail: string) => new FlowError(`${file}: step (flow), field steps: ${detail}`, '/steps', detail);
  const steps = checkSteps(file, flow.steps, registry, new Set(), []);
  if (!steps.some((s) => !s.condition && s.requirement !== 'DISABLED')) throw whole('the flow can never finish: every step is disabled');
  // A change-phone flow starts with the signed-in account (from the provider session) identified.
  checkUserOrder(file, steps, { value: flow.kind === 'change-phone' });
  if (flow.kind === 'sign-in' && !provesSomething(steps)) {
    throw whole('a sign-in flow needs at least one enabled step that checks the person (e.g. sms-otp or password)');
  }
  if (flow.kind === 'change-phone' && !provesSomething(steps)) {
    throw whole('a change-phone flow needs at least one enabled step that re-authenticates the signed-in person (sms-otp to the current phone, or password)');
  }
  checkChangePhone(file, flow.kind, steps);
  return { id: flow.id, file, kind: flow.kind, afterReset: flow.afterReset, steps, version, document: flow };
}

export function parseFlowYaml(file: string, text: string): unknown {
  try {
    return parse(text);
  } catch (err) {
    throw new FlowError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, '', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function loadFlowText(file: string, text: string, registry: Map<string, AnyFactory>): LoadedFlow {
  return validateFlow(parseFlowYaml(file, text), registry, file);
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
