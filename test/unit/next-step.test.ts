// Requirement semantics of the flow runner's step choice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadedStep } from '../../src/flows/loader.ts';
import { nextStep } from '../../src/flows/next-step.ts';

const leaf = (id: string, requirement: LoadedStep['requirement']): LoadedStep => ({ id, requirement, authenticator: 'x' });
const sub = (id: string, requirement: LoadedStep['requirement'], steps: LoadedStep[]): LoadedStep => ({ id, requirement, steps });
const run = (steps: LoadedStep[], done: string[]) => nextStep(steps, { completed: new Set(done), conditions: new Map(), chosen: {} })?.id ?? null;

test('REQUIRED steps run in order and all must complete', () => {
  const flow = [leaf('a', 'REQUIRED'), leaf('b', 'REQUIRED')];
  assert.equal(run(flow, []), 'a');
  assert.equal(run(flow, ['a']), 'b');
  assert.equal(run(flow, ['a', 'b']), null);
});

test('one ALTERNATIVE completes its sub-flow', () => {
  const flow = [leaf('id', 'REQUIRED'), sub('prove', 'REQUIRED', [leaf('sms', 'ALTERNATIVE'), leaf('pw', 'ALTERNATIVE')])];
  assert.equal(run(flow, ['id']), 'sms');
  assert.equal(run(flow, ['id', 'pw']), null);
  assert.equal(run(flow, ['id', 'sms']), null);
});

test('ALTERNATIVEs beside a REQUIRED step are ignored; DISABLED counts for nothing', () => {
  assert.equal(run([leaf('alt', 'ALTERNATIVE'), leaf('req', 'REQUIRED')], []), 'req');
  assert.equal(run([leaf('alt', 'ALTERNATIVE'), leaf('req', 'REQUIRED')], ['req']), null);
  assert.equal(run([leaf('off', 'DISABLED'), leaf('req', 'REQUIRED')], []), 'req');
  assert.equal(run([leaf('off', 'DISABLED')], []), null);
});

test('nested sub-flows resolve depth first', () => {
  const flow = [sub('outer', 'REQUIRED', [sub('inner', 'REQUIRED', [leaf('x', 'REQUIRED'), leaf('y', 'REQUIRED')]), leaf('z', 'REQUIRED')])];
  assert.deepEqual([run(flow, []), run(flow, ['x']), run(flow, ['x', 'y']), run(flow, ['x', 'y', 'z'])], ['x', 'y', 'z', null]);
});
