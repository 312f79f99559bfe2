// config.schema.json: generated from the zod config schema; it must not drift from it, it must
// refuse a misspelt key (additionalProperties: false) where the loader does, and what the loader
// accepts it accepts. No JSON Schema validator is installed: test/helpers/json-schema-check.ts
// checks documents against it (the keywords zod emits).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configJsonSchemaText } from '../../src/config/json-schema.ts';
import { parseConfig } from '../../src/config/load.ts';
import { checkJsonSchema } from '../helpers/json-schema-check.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const committed = readFileSync('config.schema.json', 'utf8');
const schema = JSON.parse(committed) as Json;

test('the committed config.schema.json is up to date', () => {
  assert.ok(committed === configJsonSchemaText(), 'config.schema.json is stale: run `npm run config:schema` and commit the result');
});

test('every object of the schema is closed: a misspelt key is refused at any depth', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const open: string[] = [];
  const walk = (node: Json, path: string) => {
    if (node.type === 'object' && node.properties && node.additionalProperties !== false) open.push(path);
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child as Json, `${path}.${key}`);
    if (node.items) walk(node.items, `${path}[]`);
    for (const alt of [...(node.oneOf ?? []), ...(node.anyOf ?? [])]) walk(alt, path);
  };
  walk(schema, '(root)');
  assert.deepEqual(open, []);
  // Keys with defaults are optional (the input side of the schema).
  assert.equal(schema.required, undefined);
  assert.equal(schema.properties.logLevel.default, 'info');
  assert.deepEqual(schema.properties.clients.items.required, ['client_id']);
});

const twilio = { type: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: 'x'.repeat(32), from: '+12025550100' };
const good = {
  appName: 'Example',
  clients: [{ client_id: 'web', client_secret: 's'.repeat(32), redirect_uris: ['https://app.example/cb'] }],
  sms: { connectors: [twilio, { type: 'console' }], allowedCountries: ['US', 'DE'] },
  logLevel: 'debug',
};

test('a document the loader accepts passes the schema', () => {
  parseConfig(good);
  assert.deepEqual(checkJsonSchema(schema, good), []);
  assert.deepEqual(checkJsonSchema(schema, {}), []);
});

test('misspelt keys fail the schema where the loader names them with a suggestion', () => {
  const cases: [Json, string, RegExp][] = [
    [{ logLevl: 'info' }, 'logLevl: unknown key', /logLevl: unknown key; did you mean 'logLevel'\?/],
    [{ clients: [{ client_id: 'web', redirect_uri: 'https://app.example/cb' }] }, 'clients.0.redirect_uri: unknown key', /did you mean 'redirect_uris' \(a list\)\?/],
    [{ sms: { connectors: [{ ...twilio, acountSid: twilio.accountSid }] } }, 'sms.connectors.0.acountSid: unknown key', /sms\.connectors\.0\.acountSid: unknown key; did you mean 'accountSid'\?/],
  ];
  for (const [doc, schemaProblem, loaderProblem] of cases) {
    assert.ok(checkJsonSchema(schema, doc).includes(schemaProblem), `${JSON.stringify(doc)}: ${checkJsonSchema(schema, doc).join('; ')}`);
    assert.throws(() => parseConfig(doc), loaderProblem);
  }
});

test('wrong values fail the schema too (an enum, a list, a connector type)', () => {
  assert.ok(checkJsonSchema(schema, { logLevel: 'loud' }).some((p) => p.startsWith('logLevel: must be one of')));
  assert.ok(checkJsonSchema(schema, { clients: [{ client_id: 'web', redirect_uris: 'https://app.example/cb' }] }).includes('clients.0.redirect_uris: expected array, got string'));
  assert.notDeepEqual(checkJsonSchema(schema, { sms: { connectors: [{ type: 'carrier-pigeon' }] } }), []);
});
