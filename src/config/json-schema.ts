// A JSON Schema (draft 2020-12) for the config file (flowgate.yaml), for editors and CI, generated
// from the zod schema with zod's own `z.toJSONSchema` (input side: keys with defaults are optional).
// Strict objects become `additionalProperties: false`, so an editor flags a misspelt key. The
// loader stays the authority: some checks exist only there (templates compile, a client's grants
// agree with its secret, files exist); its "did you mean" is src/config/unknown-keys.ts.
import { z } from 'zod';
import { configSchema } from './schema.ts';

type Json = Record<string, unknown>;

export function configJsonSchema(): Json {
  const { $schema, ...rest } = z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
  return {
    $schema,
    title: 'flowgate configuration',
    description: 'The configuration file (FLOWGATE_CONFIG, e.g. flowgate.yaml): clients, SMS connectors, limits, keys, branding. Every key is optional.',
    ...rest,
  };
}

/** The schema as written to config.schema.json: two-space JSON with a trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
