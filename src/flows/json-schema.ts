// A JSON Schema (draft 2020-12) for flow files, for editors and CI. It is generated from the zod
// model with zod's own `z.toJSONSchema`, then tightened with what the registry knows: the
// `authenticator` values, and per authenticator its `config` (from its configSchema) and the
// requirements it allows. The loader stays the authority: some checks exist only there
// (templates compile, step ids are unique, how requirements combine in sub-flows).
import { z } from 'zod';
import { flowSchema, stepSchema } from './model.ts';
import type { AnyFactory } from './registry.ts';

type Json = Record<string, unknown>;

const convertOptions = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;

/** Rewrite every `$ref` in a JSON value with `map` (refs not in the map are left alone). */
function rewriteRefs(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' && map.has(v) ? map.get(v) : rewriteRefs(v, map);
  }
  return out;
}

/**
 * Convert a config schema and store it (and any `$defs` of its own, renamed under its name) in
 * `defs` as `defs[name]`, so it can be referenced as `#/$defs/<name>` from the flow schema.
 */
function embedConfig(name: string, schema: z.ZodType, defs: Json): void {
  const { $schema: _ignored, $defs: ownDefs, ...root } = z.toJSONSchema(schema, convertOptions) as Json;
  const map = new Map<string, string>([['#', `#/$defs/${name}`]]);
  const inner = (ownDefs ?? {}) as Json;
  for (const key of Object.keys(inner)) map.set(`#/$defs/${key}`, `#/$defs/${name}.${key}`);
  defs[name] = rewriteRefs(root, map);
  for (const [key, def] of Object.entries(inner)) defs[`${name}.${key}`] = rewriteRefs(def, map);
}

export function flowJsonSchema(registry: Map<string, AnyFactory>): Json {
  // Name the recursive step schema `step` (instead of zod's generated `__schema0`).
  const names = z.registry<{ id?: string }>();
  names.add(stepSchema, { id: 'step' });
  const schema = z.toJSONSchema(flowSchema, { ...convertOptions, metadata: names }) as Json;
  const defs = schema.$defs as Json & { step: Json & { properties: Json } };
  const step = defs.step;

  const factories = [...registry.values()].sort((a, b) => a.id.localeCompare(b.id));
  step.properties.authenticator = {
    type: 'string',
    enum: factories.map((f) => f.id),
    description: 'The authenticator this step runs (a leaf step); leave out for a sub-flow.',
  };
  step.properties.config = {
    type: 'object',
    description: "The authenticator's settings; the allowed fields depend on `authenticator`.",
  };
  step.properties.steps = { ...(step.properties.steps as Json), description: 'A sub-flow: the steps it is made of.' };
  // The model's refine: exactly one of `authenticator` and `steps`.
  step.oneOf = [{ required: ['authenticator'] }, { required: ['steps'] }];
  step.allOf = factories.map((f) => {
    const name = `config.${f.id}`;
    embedConfig(name, f.configSchema, defs);
    (defs[name] as Json).title = f.displayName;
    (defs[name] as Json).description = f.helpText;
    return {
      if: { properties: { authenticator: { const: f.id } }, required: ['authenticator'] },
      then: {
        properties: {
          requirement: { enum: [...f.requirementChoices] },
          config: { $ref: `#/$defs/${name}` },
        },
      },
    };
  });

  return {
    $schema: schema.$schema,
    title: 'flowgate flow',
    description: 'An authentication flow (flows/*.yaml): ordered steps, each an authenticator or a sub-flow, with a requirement.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema' && key !== '$defs')),
    $defs: defs,
  };
}

/** The schema as written to flows/flow.schema.json: two-space JSON with a trailing newline. */
export function flowJsonSchemaText(registry: Map<string, AnyFactory>): string {
  return `${JSON.stringify(flowJsonSchema(registry), null, 2)}\n`;
}
