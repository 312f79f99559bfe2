// Layering: the pages (src/web) and the admin side (src/admin) reach oidc-provider only through
// src/oidc (the interaction facade, the provider's page hooks); they never import it, not even its types.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier of static imports, re-exports and dynamic imports. */
const specifiers = (source: string) => [
  ...source.matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g),
  ...source.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
  ...source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]/g),
  ...source.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]/g),
].map((m) => m[1]!);

const isProvider = (spec: string) => spec === 'oidc-provider' || spec.startsWith('oidc-provider/');

test('no file under src/web or src/admin imports oidc-provider', { timeout: 10_000 }, () => {
  const files = [...tsFiles(join(root, 'src', 'web')), ...tsFiles(join(root, 'src', 'admin'))];
  assert.ok(files.length > 5, 'the scan found the source files');
  const offenders = files.filter((f) => specifiers(readFileSync(f, 'utf8')).some(isProvider)).map((f) => relative(root, f));
  assert.deepEqual(offenders, [], `import oidc-provider only under src/oidc; use src/oidc/interactions.ts instead in: ${offenders.join(', ')}`);
});

test('the scan sees every import form', { timeout: 10_000 }, () => {
  const forms = [
    "import Provider from 'oidc-provider';",
    "import type { KoaContextWithOIDC } from 'oidc-provider';",
    "import {\n  errors,\n  type Configuration,\n} from \"oidc-provider\";",
    "export { errors } from 'oidc-provider';",
    "import 'oidc-provider';",
    "const m = await import('oidc-provider');",
    "type P = import('oidc-provider').default;",
    "import x from 'oidc-provider/lib/helpers/errors.js';",
  ];
  for (const form of forms) assert.ok(specifiers(form).some(isProvider), form);
  assert.ok(!specifiers("import { createInteractions } from '../oidc/interactions.ts'; // not oidc-provider").some(isProvider));
});
