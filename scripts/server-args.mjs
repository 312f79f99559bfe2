// The node arguments `npm start` runs the compiled server with, read from package.json's `start`
// script (the one place they are written), so the bench and the tests run exactly what operators run.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `npm start`'s node arguments, flags then `dist/main.js`, e.g. `['--enable-source-maps', 'dist/main.js']`. */
export function serverArgs() {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const m = /(?:^|&&\s*)exec\s+node\s+([^&|;]+)$/.exec(scripts.start.trim());
  if (!m) throw new Error(`package.json: scripts.start does not end with "exec node … dist/main.js": ${scripts.start}`);
  const args = m[1].trim().split(/\s+/);
  if (args.at(-1) !== 'dist/main.js') throw new Error(`package.json: scripts.start does not run dist/main.js: ${scripts.start}`);
  return args;
}

/** The flags alone (without `dist/main.js`). */
export const serverFlags = () => serverArgs().slice(0, -1);
