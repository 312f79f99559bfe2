// How `npm start` runs the compiled server: package.json's `start` script ends with
// `exec [env NAME=value …] node <flags> dist/main.js`, the one place its environment and node flags
// are written; the bench and the tests read them here, so they run exactly what operators run.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function launch() {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const m = /(?:^|&&\s*)exec\s+((?:env\s+(?:[A-Z_][A-Z0-9_]*=\S*\s+)+)?)node\s+([^&|;]+)$/.exec(scripts.start.trim());
  const args = m ? m[2].trim().split(/\s+/) : [];
  if (!m || args.at(-1) !== 'dist/main.js') {
    throw new Error(`package.json: scripts.start does not end with "exec [env NAME=value …] node … dist/main.js": ${scripts.start}`);
  }
  const env = Object.fromEntries(m[1].trim().split(/\s+/).slice(1).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  return { env, args };
}

/** `npm start`'s node arguments, flags then `dist/main.js`, e.g. `['--enable-source-maps', 'dist/main.js']`. */
export const serverArgs = () => launch().args;

/** The flags alone (without `dist/main.js`). */
export const serverFlags = () => launch().args.slice(0, -1);

/** The environment variables `npm start` sets for the server (`env NAME=value` before `node`). */
export const serverEnv = () => launch().env;
