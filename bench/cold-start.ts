// Cold start: from the spawn of a flowgate process to the first answered discovery request
// ("ready"), as `npm install && npm start` on a clean clone meets it: no configuration (the demo),
// a fresh SQLite file each time (migrations, signing and cookie keys made, demo user seeded).
// Discovery is polled every 10 ms; each process is stopped (SIGTERM) before the next one starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ColdStartDeps {
  /** The repository: the server's working directory (flows/ is read from there). */
  root: string;
  /** A temp dir for the SQLite files. */
  dir: string;
  freePort(): Promise<number>;
  /** Registers a child with the bench's cleanup. */
  track(child: ChildProcess): void;
  stop(child: ChildProcess): Promise<void>;
}

/** Seconds from spawn to the first 200 on /.well-known/openid-configuration, for `runs` fresh starts of `nodeArgs` (with `env` added). */
export async function coldStarts(deps: ColdStartDeps, label: string, nodeArgs: string[], runs: number, env: Record<string, string> = {}): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const port = await deps.freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = '';
    const t0 = performance.now();
    const child = spawn(process.execPath, nodeArgs, {
      cwd: deps.root,
      env: { ...process.env, ...env, PORT: String(port), FLOWGATE_ISSUER: url, FLOWGATE_CONFIG: '', DATABASE_URL: `sqlite:${join(deps.dir, `cold-${label}-${i}.db`)}`, NODE_ENV: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    deps.track(child);
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d) => { output += d; });
    const exited = once(child, 'exit');
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${label}: exited during start (code ${child.exitCode}):\n${output}`);
        if (performance.now() - t0 > 60_000) throw new Error(`${label}: not ready within 60 s:\n${output}`);
        try {
          const res = await fetch(`${url}/.well-known/openid-configuration`);
          await res.body?.cancel();
          if (res.ok) break;
        } catch { /* not listening yet */ }
        await sleep(10);
      }
      seconds.push((performance.now() - t0) / 1000);
    } finally {
      await deps.stop(child);
      await exited;
    }
  }
  return seconds;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
