#!/usr/bin/env node
// `flowgate` command: the compiled CLI (dist/cli.js, source maps on) when dist/ was built from
// today's sources, else src/cli.ts with the tsx loader resolved from this package (any cwd).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../scripts/build.mjs';

if (distIsFresh()) {
  process.setSourceMapsEnabled(true); // before the CLI's modules load, so its stack traces name .ts lines
  await import(new URL('../dist/cli.js', import.meta.url).href);
} else {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const run = spawnSync(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
