// Flow files: validated on load; every refusal names the file, the step and the field.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { FlowError, loadFlows, loadFlowText, validateFlow } from '../../src/flows/loader.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';

const registry = builtinAuthenticators();
const load = (text: string) => loadFlowText('flows/x.yaml', text, registry);

test('the shipped flows load', () => {
  const flows = loadFlows('flows', registry);
  assert.deepEqual([...flows.keys()].sort(), ['change-phone', 'register', 'reset-credentials', 'sign-in', 'sign-in-2fa']);
  assert.equal(flows.get('reset-credentials')!.kind, 'reset-credentials');
});

test('refusals name file, step and field', () => {
  const cases: Array<[string, RegExp]> = [
    ['id: x\nsteps:\n  - id: a\n    authenticator: nope\n    requirement: REQUIRED\n', /flows\/x.yaml: step 'a', field authenticator: unknown authenticator 'nope'/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: sms-otp\n    requirement: REQUIRED\n    config: { ttlSeconds: 5 }\n', /flows\/x.yaml: step 'a', field config.ttlSeconds: /],
    ['id: x\nsteps:\n  - id: a\n    authenticator: sms-otp\n    requirement: REQUIRED\n    config: { templates: { en: "{{nope}}" } }\n', /step 'a', field config.templates.en: template unknown variable/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: REQUIRED\n  - id: a\n    authenticator: sms-otp\n    requirement: REQUIRED\n', /step 'a', field id: duplicate step id/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: ALTERNATIVE\n', /step 'a', field requirement: identify-phone allows REQUIRED, not ALTERNATIVE/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: MAYBE\n', /flows\/x.yaml: step 'a', field requirement: /],
    ['id: x\nsteps:\n  - id: a\n    requirement: REQUIRED\n', /flows\/x.yaml: step 'a', field \(step\): a step has either/],
    ['id: x\nsteps: [\n', /flows\/x.yaml: not valid YAML/],
    ['id: x\nsteps:\n  - { id: a, authenticator: identify-phone, requirement: REQUIRED }\n  - { id: s, authenticator: sms-otp, requirement: DISABLED }\n', /flows\/x.yaml: step \(flow\), field steps: a sign-in flow needs at least one enabled step that checks the person/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: REQUIRED\n  - id: c\n    requirement: CONDITIONAL\n    steps:\n      - { id: s, authenticator: sms-otp, requirement: REQUIRED }\n', /step 'c', field steps: a CONDITIONAL sub-flow needs at least one condition step/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: REQUIRED\n  - { id: k, authenticator: condition-user-configured, requirement: REQUIRED }\n', /step 'k', field authenticator: condition-user-configured is a condition and belongs inside a CONDITIONAL sub-flow/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: sms-otp\n    requirement: CONDITIONAL\n', /step 'a', field requirement: CONDITIONAL applies to sub-flows/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: REQUIRED\n  - id: p\n    requirement: REQUIRED\n    steps:\n      - { id: s, authenticator: sms-otp, requirement: DISABLED }\n', /step 'p', field steps: the sub-flow can never finish/],
    ['id: x\nsteps:\n  - { id: pw, authenticator: password, requirement: REQUIRED }\n  - { id: a, authenticator: identify-phone, requirement: REQUIRED }\n', /step 'pw', field authenticator: password needs a user, but no earlier step identifies one/],
    ['id: x\nsteps:\n  - { id: a, authenticator: sms-otp, requirement: DISABLED }\n', /flows\/x.yaml: step \(flow\), field steps: the flow can never finish/],
    ['id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: REQUIRED\n  - id: c\n    requirement: CONDITIONAL\n    steps:\n      - { id: k, authenticator: condition-user-attribute, requirement: REQUIRED, config: { attribute: role } }\n      - { id: s, authenticator: sms-otp, requirement: REQUIRED }\n', /step 'k', field config.value: /],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => load(text), (err: Error) => err instanceof FlowError && message.test(err.message), String(message));
  }
});

test('a bad file stops loading the directory with its name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flows-'));
  writeFileSync(join(dir, 'sign-in.yaml'), 'id: sign-in\nsteps:\n  - id: a\n    authenticator: sms-otp\n    requirement: REQUIRED\n    config: { codeLength: "six" }\n');
  assert.throws(() => loadFlows(dir, registry), new RegExp(`${dir}/sign-in.yaml: step 'a', field config.codeLength`));
});

test('change-phone flows: re-authentication, the new number and its code, the notice to the old number', { timeout: 10_000 }, () => {
  const reauth = '  - { id: r, authenticator: password, requirement: REQUIRED }\n';
  const ask = '  - { id: n, authenticator: new-phone, requirement: REQUIRED }\n';
  const code = '  - { id: c, authenticator: sms-otp, requirement: REQUIRED, config: { usage: phone-change, sendTo: new-phone } }\n';
  const notice = '  - { id: o, authenticator: sms-notify, requirement: REQUIRED, config: { usage: phone-changed, when: finish } }\n';
  const flow = (...steps: string[]) => `id: x\nkind: change-phone\nsteps:\n${steps.join('')}`;
  assert.equal(load(flow(reauth, ask, code, notice)).kind, 'change-phone');
  const cases: Array<[string, RegExp]> = [
    [flow(ask, code, notice), /field steps: a change-phone flow needs at least one enabled step that re-authenticates/],
    [flow(reauth, code, notice), /a change-phone flow needs an enabled new-phone step/],
    [flow(reauth, ask, notice), /needs an enabled sms-otp step with `sendTo: new-phone`/],
    [flow(reauth, code, ask, notice), /step 'c', field config.sendTo: the code to the new number must come after the new-phone step/],
    [flow(reauth, ask, code), /needs an enabled sms-notify step with `usage: phone-changed` and `when: finish`/],
    [`id: x\nsteps:\n  - { id: a, authenticator: identify-phone, requirement: REQUIRED }\n  - { id: s, authenticator: sms-otp, requirement: REQUIRED }\n${ask}`,
      /step 'n', field authenticator: the new phone number belongs in a flow of kind change-phone/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => load(text), (err: Error) => err instanceof FlowError && message.test(err.message), String(message));
  }
});

test('what a step identifies or proves comes from its factory\'s metadata, so a plugin step can identify the user', { timeout: 10_000 }, async () => {
  const registry = builtinAuthenticators();
  const fake = (id: string, extra: Record<string, unknown>) => ({
    id, displayName: id, helpText: '', requirementChoices: ['REQUIRED'], configSchema: z.object({}).strict(), defaultConfig: {},
    create: () => ({ requiresUser: false, authenticate: async () => ({ kind: 'attempted' }), action: async () => ({ kind: 'attempted' }) }), ...extra,
  });
  registry.set('badge-reader', fake('badge-reader', { identifies: true, proves: false }) as never);
  registry.set('badge-pin', fake('badge-pin', { requiresUser: true }) as never);
  const flow = (first: string) => ({ id: 'badge', kind: 'sign-in', steps: [{ id: 'who', authenticator: first, requirement: 'REQUIRED' }, { id: 'pin', authenticator: 'badge-pin', requirement: 'REQUIRED' }] });
  assert.equal(validateFlow(flow('badge-reader'), registry, 'badge.yaml').steps[0]!.identifies, true);
  // A step that proves nothing and identifies nobody: the step needing a user is refused, naming it.
  registry.set('noop', fake('noop', { proves: false }) as never);
  assert.throws(() => validateFlow(flow('noop'), registry, 'badge.yaml'), /step 'pin', field authenticator: badge-pin needs a user/);
  // A plugin that identifies but does not prove cannot be the only step of a sign-in flow.
  assert.throws(() => validateFlow({ id: 'x', kind: 'sign-in', steps: [{ id: 'who', authenticator: 'badge-reader', requirement: 'REQUIRED' }] }, registry, 'x.yaml'),
    /needs at least one enabled step that checks the person/);
});
