// Requirement semantics (Keycloak's): which leaf step runs next, or null when the flow is complete.
// REQUIRED steps run in order; beside a REQUIRED (or live CONDITIONAL) step, ALTERNATIVEs are
// ignored; otherwise one successful ALTERNATIVE completes the level; a CONDITIONAL sub-flow runs
// as REQUIRED when all its condition steps hold and counts for nothing otherwise; DISABLED counts
// for nothing. Condition steps are evaluated, never shown.
import type { LoadedStep } from './loader.ts';

export interface Progress {
  completed: ReadonlySet<string>;
  /** Results of condition steps, by step id (computed by the runner before each decision). */
  conditions: ReadonlyMap<string, boolean>;
  /** The alternative the person picked, by parent level id ('' for the top level). */
  chosen: Readonly<Record<string, string>>;
}

export const isCondition = (s: LoadedStep) => Boolean(s.condition);

function live(step: LoadedStep, p: Progress): 'required' | 'alternative' | 'off' {
  if (step.requirement === 'DISABLED' || isCondition(step)) return 'off';
  if (step.requirement === 'CONDITIONAL') {
    const conditions = (step.steps ?? []).filter(isCondition);
    return conditions.length > 0 && conditions.every((c) => p.conditions.get(c.id) === true) ? 'required' : 'off';
  }
  return step.requirement === 'REQUIRED' ? 'required' : 'alternative';
}

/** The alternatives the person may switch between at this level, when the level is deciding by alternatives. */
export function alternativesAt(steps: LoadedStep[], p: Progress): LoadedStep[] {
  if (steps.some((s) => live(s, p) === 'required')) return [];
  return steps.filter((s) => live(s, p) === 'alternative');
}

export function nextStep(steps: LoadedStep[], p: Progress, levelId = ''): LoadedStep | null {
  const required = steps.filter((s) => live(s, p) === 'required');
  if (required.length) {
    for (const step of required) {
      const pending = pendingIn(step, p);
      if (pending) return pending;
    }
    return null;
  }
  const alternatives = steps.filter((s) => live(s, p) === 'alternative');
  if (!alternatives.length || alternatives.some((s) => pendingIn(s, p) === null)) return null;
  const chosen = alternatives.find((s) => s.id === p.chosen[levelId]) ?? alternatives[0]!;
  return pendingIn(chosen, p);
}

function pendingIn(step: LoadedStep, p: Progress): LoadedStep | null {
  if (step.steps) return nextStep(step.steps, p, step.id);
  return p.completed.has(step.id) ? null : step;
}

/** The level (sub-flow id, '' for top) that directly holds a step, and its sibling steps. */
export function levelOf(steps: LoadedStep[], id: string, levelId = ''): { levelId: string; steps: LoadedStep[] } | undefined {
  for (const s of steps) {
    if (s.id === id) return { levelId, steps };
    if (s.steps) {
      const found = levelOf(s.steps, id, s.id);
      if (found) return found;
    }
  }
  return undefined;
}

/** The innermost level where the person may pick another alternative for the pending step. */
export function alternativeChoices(steps: LoadedStep[], pendingId: string, p: Progress, levelId = ''):
  { levelId: string; options: LoadedStep[]; current: string } | undefined {
  const branch = steps.find((s) => s.id === pendingId || (s.steps && levelOf(s.steps, pendingId)));
  if (!branch) return undefined;
  const inner = branch.steps ? alternativeChoices(branch.steps, pendingId, p, branch.id) : undefined;
  if (inner) return inner;
  const options = alternativesAt(steps, p);
  return options.length > 1 && options.includes(branch) ? { levelId, options, current: branch.id } : undefined;
}
