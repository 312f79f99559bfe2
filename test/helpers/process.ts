// Runs flowgate as a real child process on a free loopback port: the compiled build (dist/main.js,
// what `npm start` runs) when dist/ is fresh, else the sources through tsx (src/main.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { distIsFresh } from '../../scripts/build.mjs';
import { serverArgs, serverEnv } from '../../scripts/server-args.mjs';

export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface Child { url: string; proc: ChildProcess; output: () => string; stop(): Promise<void> }

/** `npm start`'s server: compiled JavaScript (scripts/build.mjs makes dist/) with package.json's node flags. */
export const COMPILED_ENTRY = serverArgs();
/** The environment `npm start` sets for it (`exec env NAME=value … node`). */
export const COMPILED_ENV = serverEnv();
const SOURCE_ENTRY = ['--import', 'tsx', 'src/main.ts'];

let fresh: boolean | undefined;
/**
 * The node arguments that run the server: `compiled` (dist/ must be fresh), `source`, or `auto`
 * (the default): compiled when dist/ was built from today's sources, so an edited src/ is never run stale.
 */
export function serverEntry(build: 'auto' | 'compiled' | 'source' = 'auto'): string[] {
  if (build === 'source') return SOURCE_ENTRY;
  if (build === 'compiled') {
    if (!distIsFresh()) throw new Error('dist/ is missing or older than src/: run `npm run build` first');
    return COMPILED_ENTRY;
  }
  fresh ??= distIsFresh();
  return fresh ? COMPILED_ENTRY : SOURCE_ENTRY;
}

export async function startProcess(env: Record<string, string>, port?: number, opts: { build?: 'auto' | 'compiled' | 'source' } = {}): Promise<Child> {
  const p = port ?? await freePort();
  const url = `http://127.0.0.1:${p}`;
  const entry = serverEntry(opts.build);
  const proc = spawn(process.execPath, entry, {
    env: { ...process.env, ...(entry === COMPILED_ENTRY ? COMPILED_ENV : {}), PORT: String(p), FLOWGATE_ISSUER: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = once(proc, 'exit');
  // Generous: several processes may be starting at once on a small, busy machine.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`flowgate exited (${proc.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/.well-known/openid-configuration`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`flowgate did not start:\n${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, proc, output: () => out,
    async stop() {
      if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; }
    },
  };
}

/** Runs a command to completion and returns its exit code and output. */
export async function runCommand(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const [code] = await once(proc, 'exit');
  return { code: code as number, out };
}

/**
 * Which of `pids` owns the local end of a TCP connection whose local port is `port` (a server in
 * this process sees that port as the request's `remotePort`): read from /proc (Linux), so a test
 * knows which child process sent a request.
 */
export function pidOfLocalPort(port: number, pids: readonly number[]): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (fields.length > 9 && parseInt(fields[1]!.split(':')[1]!, 16) === port) inodes.add(fields[9]!);
    }
  }
  for (const pid of pids) {
    let fds: string[];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch { /* closed meanwhile */ }
    }
  }
  return undefined;
}
