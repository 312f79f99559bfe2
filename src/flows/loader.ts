// Loads flows/*.yaml, validates each against the flow schema and each step's config against its
// authenticator's schema. Every refusal names the file, the step and the field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { flowSchema, type FlowDef, type StepDef } from './model.ts';
import type { AnyFactory } from './registry.ts';

export class FlowError extends Error {
  override name = 'FlowError';
}

export interface LoadedStep extends StepDef {
  /** Validated config with defaults applied (leaf steps only). */
  resolvedConfig?: unknown;
  steps?: LoadedStep[];
}
export interface LoadedFlow { id: string; file: string; steps: LoadedStep[] }

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

function checkSteps(file: string, steps: StepDef[], registry: Map<string, AnyFactory>, seen: Set<string>): LoadedStep[] {
  return steps.map((step) => {
    const where = `${file}: step '${step.id}'`;
    if (seen.has(step.id)) throw new FlowError(`${where}, field id: duplicate step id`);
    seen.add(step.id);
    if (step.requirement === 'CONDITIONAL') {
      throw new FlowError(`${where}, field requirement: CONDITIONAL needs condition authenticators, which this version does not have yet`);
    }
    if (step.steps) return { ...step, steps: checkSteps(file, step.steps, registry, seen) };
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
    return { ...step, resolvedConfig: parsed.data };
  });
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
  return { id: flow.id, file, steps: checkSteps(file, flow.steps, registry, new Set()) };
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
  if (!flows.has('sign-in')) throw new FlowError(`${dir}: no flow with id 'sign-in'`);
  return flows;
}
