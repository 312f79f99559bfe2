// Writes config.schema.json, the JSON Schema of the config file, from src/config/schema.ts.
// Run `npm run config:schema` after changing the config schema (or a connector's, a limit's…);
// test/unit/config-schema.test.ts fails while the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.ts';

const target = fileURLToPath(new URL('../config.schema.json', import.meta.url));
writeFileSync(target, configJsonSchemaText());
console.log(`wrote ${target}`);
