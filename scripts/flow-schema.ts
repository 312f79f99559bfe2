// Writes flows/flow.schema.json, the JSON Schema of flow files, from the built-in authenticators.
// Run `npm run flows:schema` after changing the flow model or an authenticator's config schema;
// test/unit/flow-schema.test.ts fails while the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flowJsonSchemaText } from '../src/flows/json-schema.ts';
import { builtinAuthenticators } from '../src/flows/registry.ts';

const target = fileURLToPath(new URL('../flows/flow.schema.json', import.meta.url));
writeFileSync(target, flowJsonSchemaText(builtinAuthenticators()));
console.log(`wrote ${target}`);
