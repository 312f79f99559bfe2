// Compiles src/ to dist/ (tsc -p tsconfig.build.json: type-checked, source maps beside each file)
// and copies src/'s other files (the common-password list) next to the JavaScript that reads them.
// `--if-stale`: does nothing when dist/ was built from exactly today's sources (a hash of src/, the
// tsconfigs and this script, kept in dist/.source-hash), so `npm start` never runs an edited src/
// stale and never rebuilds for nothing. Plain JavaScript: it runs before anything is compiled.
// The new dist/ is written beside the old one and swapped in whole; a lock makes parallel builds wait.
// `--optional` (the `prepare` script): without TypeScript (`npm ci --omit=dev` after a build) say so and
// succeed, so the install goes on; `npm start` then refuses only if dist/ is not fresh.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(root, 'dist');
const SRC = join(root, 'src');
const HASH_FILE = '.source-hash';
const LOCK = join(root, 'dist.lock');
const require = createRequire(import.meta.url);

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** What dist/ is made from: every file under src/ (names and contents) and the build config. */
export function sourceHash() {
  const h = createHash('sha256');
  const inputs = [...filesUnder(SRC), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), fileURLToPath(import.meta.url)];
  for (const file of inputs) h.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  return h.digest('hex');
}

/** True when dist/ exists and was built from the sources as they are now. */
export function distIsFresh() {
  try {
    return readFileSync(join(DIST, HASH_FILE), 'utf8') === sourceHash();
  } catch {
    return false;
  }
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Holds dist.lock (a directory, made atomically) while `fn` runs; a lock left by a dead builder is taken over. */
function withLock(fn) {
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = NaN;
      try { owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8')); } catch { /* being made or removed */ }
      if (Number.isInteger(owner) && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
      else if (waited > 600_000) throw new Error(`${LOCK}: another build has held it for 10 minutes; remove it if no build runs`);
      else sleepMs(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds dist/ (unless `ifStale` and it is fresh). Returns false, having printed why, when the build failed. */
export function build({ ifStale = false, quiet = false, optional = false } = {}) {
  if (ifStale && distIsFresh()) return true;
  return withLock(() => {
    // Another process may have built it while this one waited for the lock.
    if (ifStale && distIsFresh()) return true;
    let tsc;
    try {
      tsc = require.resolve('typescript/bin/tsc');
    } catch {
      process.stderr.write(`flowgate: dist/ is missing or older than src/, and TypeScript is not installed to build it${optional ? ' (skipped)' : ''}: run \`npm install\` with the dev dependencies, then \`npm run build\`\n`);
      return optional;
    }
    const hash = sourceHash();
    const started = Date.now();
    if (!quiet) process.stderr.write('flowgate: compiling src/ to dist/ …');
    const out = join(root, `dist.build-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) {
      rmSync(out, { recursive: true, force: true });
      process.stderr.write(`${quiet ? 'flowgate: compiling src/ to dist/ …' : ''} failed:\n${run.stdout}${run.stderr}`);
      return false;
    }
    for (const file of filesUnder(SRC).filter((f) => !f.endsWith('.ts'))) {
      cpSync(file, join(out, relative(SRC, file)));
    }
    writeFileSync(join(out, HASH_FILE), hash);
    // Swap the new tree in whole: a process still running from the old one finds every file it loads later.
    const old = join(root, `dist.old-${process.pid}`);
    let hadOld = true;
    try { renameSync(DIST, old); } catch (err) { if (err.code !== 'ENOENT') throw err; hadOld = false; }
    renameSync(out, DIST);
    if (hadOld) rmSync(old, { recursive: true, force: true });
    if (!quiet) process.stderr.write(` done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return true;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const flags = ['--if-stale', '--quiet', '--optional'];
  if (args.some((a) => !flags.includes(a))) {
    process.stderr.write(`usage: node scripts/build.mjs [${flags.join('] [')}]\n`);
    process.exit(2);
  }
  process.exit(build({ ifStale: args.includes('--if-stale'), quiet: args.includes('--quiet'), optional: args.includes('--optional') }) ? 0 : 1);
}
