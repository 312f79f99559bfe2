// Preloaded (--import) into every server the bench starts: if the bench process that started them
// disappears without cleaning up (e.g. SIGKILL), the server is re-parented and stops itself,
// removing the bench's temp dir (BENCH_CLEAN_DIR) on its way out.
// Plain JavaScript, so that the compiled flowgate (dist/main.js) loads it without tsx.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';

const parent = process.ppid;
const raw = process.env.BENCH_CLEAN_DIR;
// Only ever a directory the bench made: <tmpdir>/flowgate-bench-XXXXXX.
const cleanDir = raw && dirname(resolve(raw)) === resolve(tmpdir()) && basename(raw).startsWith('flowgate-bench-') ? resolve(raw) : undefined;

const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  if (cleanDir) process.on('exit', () => rmSync(cleanDir, { recursive: true, force: true }));
  process.kill(process.pid, 'SIGTERM');
}, 500);
timer.unref();
