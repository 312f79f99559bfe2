// The README's YAML examples work: every ```yaml block is loaded the way flowgate loads it. What a
// block is comes from its first line, a comment naming the file: `# flows/<name>.yaml` is a flow
// (the flow loader, with the built-in authenticators); another file named in FOREIGN (e.g.
// `# prometheus.yml`) is not flowgate's and is skipped; anything else — `# flowgate.yaml` or no
// name — is a config file or a fragment of one (parseConfig, and config.schema.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { loadFlowText } from '../../src/flows/loader.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';
import { checkJsonSchema } from '../helpers/json-schema-check.ts';

/** Files of other programs the README shows in YAML. */
const FOREIGN = new Set(['prometheus.yml', 'docker-compose.yml', 'compose.yaml']);

const readme = readFileSync('README.md', 'utf8');
const blocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => ({
  text: m[1]!,
  line: readme.slice(0, m.index).split('\n').length,
}));
const nameOf = (text: string) => /^#\s*(\S+\.ya?ml)\b/.exec(text)?.[1];
const schema = JSON.parse(readFileSync('config.schema.json', 'utf8')) as Record<string, unknown>;

test('the README has YAML examples, including the config of "Connect a relying app"', () => {
  assert.ok(blocks.length >= 3, `${blocks.length} blocks`);
  assert.ok(blocks.some((b) => nameOf(b.text) === 'flowgate.yaml'));
});

for (const { text, line } of blocks) {
  const name = nameOf(text);
  if (name && FOREIGN.has(name)) continue;
  const where = `README.md:${line}${name ? ` (${name})` : ''}`;
  if (name?.startsWith('flows/')) {
    test(`${where} loads as a flow`, () => { loadFlowText(name, text, builtinAuthenticators()); });
    continue;
  }
  test(`${where} loads as a config file and passes config.schema.json`, () => {
    const raw = parse(text) as unknown;
    parseConfig(raw, where);
    assert.deepEqual(checkJsonSchema(schema, raw), [], where);
  });
}
