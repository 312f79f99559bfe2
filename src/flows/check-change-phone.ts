// Load-time checks of the change-phone parts of flows: the new number is asked for, then proven
// by a code, and the old number is told once the change is done; and those steps appear only in
// change-phone flows.
import type { FlowKind } from './model.ts';
import { FlowError, type LoadedStep } from './loader.ts';

/** Enabled leaf steps in order (a disabled sub-flow disables what it holds). */
function enabledLeaves(steps: LoadedStep[]): LoadedStep[] {
  return steps.flatMap((s) => (s.requirement === 'DISABLED' || s.condition ? [] : s.steps ? enabledLeaves(s.steps) : [s]));
}

const config = (s: LoadedStep) => (s.resolvedConfig ?? {}) as { sendTo?: string; usage?: string; when?: string };
const isNewPhone = (s: LoadedStep) => s.authenticator === 'new-phone';
const codesNewPhone = (s: LoadedStep) => s.authenticator === 'sms-otp' && config(s).sendTo === 'new-phone';
const tellsOldPhone = (s: LoadedStep) => s.authenticator === 'sms-notify' && config(s).usage === 'phone-changed' && config(s).when === 'finish';

export function checkChangePhone(file: string, kind: FlowKind, steps: LoadedStep[]): void {
  const leaves = enabledLeaves(steps);
  const where = (s: LoadedStep | undefined, field: string) => `${file}: step ${s ? `'${s.id}'` : '(flow)'}, field ${field}`;
  if (kind !== 'change-phone') {
    const misplaced = leaves.find((s) => isNewPhone(s) || codesNewPhone(s));
    if (misplaced) throw new FlowError(`${where(misplaced, 'authenticator')}: the new phone number belongs in a flow of kind change-phone`);
    return;
  }
  const ask = leaves.findIndex(isNewPhone);
  if (ask < 0) throw new FlowError(`${where(undefined, 'steps')}: a change-phone flow needs an enabled new-phone step`);
  const prove = leaves.findIndex(codesNewPhone);
  if (prove < 0) throw new FlowError(`${where(undefined, 'steps')}: a change-phone flow needs an enabled sms-otp step with \`sendTo: new-phone\``);
  if (prove < ask) throw new FlowError(`${where(leaves[prove], 'config.sendTo')}: the code to the new number must come after the new-phone step`);
  if (!leaves.some(tellsOldPhone)) {
    throw new FlowError(`${where(undefined, 'steps')}: a change-phone flow needs an enabled sms-notify step with \`usage: phone-changed\` and \`when: finish\` (the old number is told)`);
  }
}
