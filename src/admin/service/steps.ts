// Edits of a flow document's step tree (pure: each returns a new document). The result is then
// validated as a whole (src/live/documents.ts), so an edit that leaves a flow unable to finish is refused.
import type { FlowDef, Requirement, StepDef } from '../../flows/model.ts';
import { AppError } from '../../errors.ts';

const clone = <T>(v: T): T => structuredClone(v);

/** The level (array) holding the step and its index; throws 404 when there is no such step. */
function locate(steps: StepDef[], stepId: string): { level: StepDef[]; index: number } | undefined {
  for (const [index, step] of steps.entries()) {
    if (step.id === stepId) return { level: steps, index };
    const inner = step.steps ? locate(step.steps, stepId) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function found(doc: FlowDef, stepId: string) {
  const at = locate(doc.steps, stepId);
  if (!at) throw new AppError(404, 'not_found', { detail: `flow '${doc.id}' has no step '${stepId}'` });
  return at;
}

export function getStep(doc: FlowDef, stepId: string): StepDef {
  const { level, index } = found(doc, stepId);
  return level[index]!;
}

/** Adds a step at `index` (default: the end) of the top level, or of the sub-flow `parent`. */
export function addStep(doc: FlowDef, step: StepDef, parent?: string, index?: number): FlowDef {
  const next = clone(doc);
  let level = next.steps;
  if (parent) {
    const host = getStep(next, parent);
    if (!host.steps) throw new AppError(422, 'invalid_document', { detail: `step '${parent}' is not a sub-flow`, fields: [{ pointer: '/parent', detail: 'not a sub-flow (a step with steps)' }] });
    level = host.steps;
  }
  level.splice(index === undefined ? level.length : Math.max(0, Math.min(index, level.length)), 0, clone(step));
  return next;
}

export function removeStep(doc: FlowDef, stepId: string): FlowDef {
  const next = clone(doc);
  const { level, index } = found(next, stepId);
  level.splice(index, 1);
  return next;
}

/** Moves a step one place up or down within its level. */
export function moveStep(doc: FlowDef, stepId: string, direction: 'up' | 'down'): FlowDef {
  const next = clone(doc);
  const { level, index } = found(next, stepId);
  const to = direction === 'up' ? index - 1 : index + 1;
  if (to < 0 || to >= level.length) {
    throw new AppError(409, 'cannot_move', { detail: `step '${stepId}' is already ${direction === 'up' ? 'first' : 'last'} in its level` });
  }
  [level[index], level[to]] = [level[to]!, level[index]!];
  return next;
}

export function setRequirement(doc: FlowDef, stepId: string, requirement: Requirement): FlowDef {
  const next = clone(doc);
  const { level, index } = found(next, stepId);
  level[index] = { ...level[index]!, requirement };
  return next;
}

export function setConfig(doc: FlowDef, stepId: string, config: Record<string, unknown>): FlowDef {
  const next = clone(doc);
  const { level, index } = found(next, stepId);
  if (!level[index]!.authenticator) throw new AppError(409, 'not_an_authenticator', { detail: `step '${stepId}' is a sub-flow; it has no config` });
  level[index] = { ...level[index]!, config: clone(config) };
  return next;
}

/** The JSON pointer of a step in the document (`/steps/1/steps/0`). */
export function stepPointer(doc: FlowDef, stepId: string): string {
  const walk = (list: StepDef[], at: string): string | undefined => {
    for (const [i, step] of list.entries()) {
      if (step.id === stepId) return `${at}/steps/${i}`;
      const inner = step.steps ? walk(step.steps, `${at}/steps/${i}`) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const found = walk(doc.steps, '');
  if (found === undefined) throw new AppError(404, 'not_found', { detail: `flow '${doc.id}' has no step '${stepId}'` });
  return found;
}
