// flows/flow.schema.json: generated from the zod model and the built-in authenticators; it must
// not drift from them, and the shipped flow must satisfy it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { flowJsonSchemaText } from '../../src/flows/json-schema.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const committed = readFileSync('flows/flow.schema.json', 'utf8');
const schema = JSON.parse(committed) as Json;

test('the committed flows/flow.schema.json is up to date', () => {
  assert.ok(committed === flowJsonSchemaText(builtinAuthenticators()),
    'flows/flow.schema.json is stale: run `npm run flows:schema` and commit the result');
});

test('the schema lists the built-in authenticators, each with its config schema', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const step = schema.$defs.step;
  const ids = [...builtinAuthenticators().keys()].sort();
  assert.deepEqual(step.properties.authenticator.enum, ids);
  assert.deepEqual(step.allOf.map((c: Json) => c.if.properties.authenticator.const), ids);
  for (const rule of step.allOf as Json[]) {
    const ref = rule.then.properties.config.$ref as string;
    assert.ok(schema.$defs[ref.replace('#/$defs/', '')], `${ref} is defined`);
  }
  // io: 'input': fields with defaults are optional.
  assert.equal(schema.$defs['config.sms-otp'].required, undefined);
  assert.equal(schema.$defs['config.sms-otp'].properties.codeLength.default, 6);
  // Sub-flows recurse.
  assert.equal(step.properties.steps.items.$ref, '#/$defs/step');
  assert.equal(schema.properties.steps.items.$ref, '#/$defs/step');
});

const shipped = readdirSync('flows').filter((n) => /\.ya?ml$/.test(n)).sort();

test('the shipped flows satisfy the schema (required keys, known keys, enums)', () => {
  assert.ok(shipped.includes('sign-in.yaml'));
  for (const name of shipped) checkFlow(name, parse(readFileSync(`flows/${name}`, 'utf8')) as Json);
});

function checkFlow(name: string, flow: Json): void {
  for (const key of schema.required as string[]) assert.ok(key in flow, `${name}: flow has ${key}`);
  for (const key of Object.keys(flow)) assert.ok(key in schema.properties, `${name}: flow key ${key} is known`);
  const stepDef = schema.$defs.step;
  let leaves = 0;
  const check = (steps: Json[]) => {
    for (const step of steps) {
      for (const key of stepDef.required as string[]) assert.ok(key in step, `${name}: step ${step.id} has ${key}`);
      for (const key of Object.keys(step)) assert.ok(key in stepDef.properties, `${name}: step ${step.id}: key ${key} is known`);
      assert.ok(stepDef.properties.requirement.enum.includes(step.requirement), `${name}: step ${step.id}: requirement`);
      assert.ok(new RegExp(stepDef.properties.id.pattern).test(step.id), `${name}: step ${step.id}: id pattern`);
      if (step.steps) {
        assert.equal(step.authenticator, undefined);
        check(step.steps);
        continue;
      }
      leaves += 1;
      assert.ok(stepDef.properties.authenticator.enum.includes(step.authenticator), `${name}: step ${step.id}: authenticator`);
      const rule = (stepDef.allOf as Json[]).find((c) => c.if.properties.authenticator.const === step.authenticator)!;
      assert.ok(rule.then.properties.requirement.enum.includes(step.requirement), `${name}: step ${step.id}: requirement allowed`);
      const config = schema.$defs[(rule.then.properties.config.$ref as string).replace('#/$defs/', '')];
      for (const key of Object.keys(step.config ?? {})) assert.ok(key in config.properties, `${name}: step ${step.id}: config.${key} is known`);
    }
  };
  check(flow.steps);
  assert.ok(leaves >= 1, `${name}: has authenticator steps`);
}
