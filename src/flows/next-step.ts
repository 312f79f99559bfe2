// Requirement semantics: which leaf step runs next, or null when the flow is complete.
// REQUIRED steps run in order; beside a REQUIRED step, ALTERNATIVEs are ignored (Keycloak);
// otherwise one successful ALTERNATIVE completes the level; DISABLED counts for nothing.
import type { LoadedStep } from './loader.ts';

export function nextStep(steps: LoadedStep[], completed: ReadonlySet<string>): LoadedStep | null {
  const active = steps.filter((s) => s.requirement !== 'DISABLED');
  const required = active.filter((s) => s.requirement === 'REQUIRED');
  if (required.length) {
    for (const step of required) {
      const pending = pendingIn(step, completed);
      if (pending) return pending;
    }
    return null;
  }
  const alternatives = active.filter((s) => s.requirement === 'ALTERNATIVE');
  if (!alternatives.length || alternatives.some((s) => pendingIn(s, completed) === null)) return null;
  return pendingIn(alternatives[0]!, completed);
}

function pendingIn(step: LoadedStep, completed: ReadonlySet<string>): LoadedStep | null {
  if (step.steps) return nextStep(step.steps, completed);
  return completed.has(step.id) ? null : step;
}
