// Flow files: validated on load; every refusal names the file, the step and the field.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FlowError, loadFlows, loadFlowText } from '../../src/flows/loader.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';

const registry = builtinAuthenticators();
const load = (text: string) => loadFlowText('flows/x.yaml', text, registry);

test('the shipped flows load', () => {
  const flows = loadFlows('flows', registry);
  assert.deepEqual([...flows.keys()].sort(), ['register', 'reset-credentials', 'sign-in', 'sign-in-2fa']);
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
