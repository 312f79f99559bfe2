// Runs the `flowgate` command as operators do (bin/flowgate.mjs: dist/cli.js when fresh, else the
// sources through tsx) and keeps stdout and stderr apart; stdin is closed (not a terminal).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function flowgate(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const proc = spawn(process.execPath, ['bin/flowgate.mjs', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => { stdout += d; });
  proc.stderr!.on('data', (d) => { stderr += d; });
  const [code] = await once(proc, 'exit');
  return { code: code as number, stdout, stderr };
}

/** Lines of stderr that are not oidc-provider's "Unsupported runtime" notice (printed on Node 20 when a command loads it). */
export const stderrLines = (run: CliRun) => run.stderr.split('\n').filter((l) => l && !/^oidc-provider WARNING: Unsupported runtime/.test(l));

/** Runs `tasks` with at most `n` at once (the machine is small). */
export async function inBatches<T>(tasks: Array<() => Promise<T>>, n = 3): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += n) out.push(...await Promise.all(tasks.slice(i, i + n).map((t) => t())));
  return out;
}

/** `cli(...args)` and `json(...args)` (must exit 0 with --json; its one document) with this environment. */
export function cliWith(env: Record<string, string>) {
  const cli = (...args: string[]) => flowgate(args, env);
  async function json<T>(...args: string[]): Promise<T> {
    const run = await cli(...args, '--json');
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  }
  return { cli, json };
}

/** The audit entries of a target in a SQLite file, newest first. */
export async function auditOf(db: string, target: string) {
  const store = openSqliteStore(db);
  try { return await store.config.audit({ limit: 20, target }); } finally { await store.close(); }
}
