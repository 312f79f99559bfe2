// Finds every test/**/*.test.ts file and runs them all with node's test runner (tsx loader).
// Node 20's `node --test` does not expand `**`, so the list is built here and printed.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = find('test').sort();
console.log(`test files: ${files.length}`);
for (const f of files) console.log(`  ${relative('.', f)}`);
// Every test gets a timeout (a test may set a shorter or longer one), so a regression fails instead of hanging.
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...process.argv.slice(2), ...files];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
