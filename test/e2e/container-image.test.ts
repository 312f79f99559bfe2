// The container image, without docker: the Dockerfile is parsed and checked against the tree
// (every COPY source exists and is not ignored, .dockerignore keeps node_modules, data and .git
// out, the command is the one `npm start` execs). The build stage's COPY lines are applied to a
// temporary directory (node_modules linked in for `npm ci`) and the build runs there; the runtime
// stage's COPY lines then make a temporary /app from the context and that build, and its CMD runs
// there with the image's ENV (DATABASE_URL under a temporary /data): it becomes ready, its
// HEALTHCHECK passes, the CLI works, and SIGTERM ends it with exit code 0. Without a config file
// the image refuses to start, in one line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, runCommand } from '../helpers/process.ts';
import { serverArgs, serverEnv } from '../../scripts/server-args.mjs';

interface Instruction { op: string; args: string }
interface Stage { name?: string; from: string; steps: Instruction[] }

/** Dockerfile → stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const logical: string[] = [];
  let current = '';
  for (const line of lines) {
    if (/\\\s*$/.test(line)) { current += `${line.replace(/\\\s*$/, '')} `; continue; }
    current += line;
    if (current.trim()) logical.push(current.trim().replace(/\s+/g, ' '));
    current = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') {
      const [from, as, name] = args!.split(' ');
      stages.push({ from: from!, ...(as?.toUpperCase() === 'AS' ? { name } : {}), steps: [] });
    } else {
      assert.ok(stages.length, `${op} before FROM`);
      stages.at(-1)!.steps.push({ op: op!.toUpperCase(), args: args! });
    }
  }
  return stages;
}

/** `--flag=value` options, then the words (or a JSON array) of an instruction's arguments. */
function words(args: string): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--([\w-]+)=(\S+)\s*/.exec(rest); m; m = /^--([\w-]+)=(\S+)\s*/.exec(rest)) {
    flags[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.startsWith('[') ? JSON.parse(rest) as string[] : rest.split(' ').filter(Boolean) };
}

/** ENV lines (`K=V K2=V2`) of a stage. */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of stage.steps.filter((x) => x.op === 'ENV')) {
    for (const m of s.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return env;
}

const workdirOf = (stage: Stage) => stage.steps.filter((s) => s.op === 'WORKDIR').at(-1)?.args ?? '/';
const one = (stage: Stage, op: string) => {
  const found = stage.steps.filter((s) => s.op === op);
  assert.equal(found.length, 1, `one ${op} in the runtime stage`);
  return found[0]!.args;
};

const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const runtime = stages.at(-1)!;
const build = stages.find((s) => s.name && runtime.steps.some((x) => x.op === 'COPY' && words(x.args).flags.from === s.name));
const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
/** What the build stage's RUN makes (npm ci: node_modules; its prepare and build.mjs: dist). */
const BUILT = new Set(['node_modules', 'dist']);

const dir = mkdtempSync(join(tmpdir(), 'flowgate-image-'));
const buildDir = join(dir, 'build');
const app = join(dir, 'app');
const data = join(dir, 'data');
after(() => { rmSync(dir, { recursive: true, force: true }); });

/** A COPY line's sources (relative: to the context, or to the build stage's WORKDIR) and its destination. */
function copyOf(step: Instruction): { from?: string; sources: string[]; dest: string } {
  const { flags, rest } = words(step.args);
  const sources = rest.slice(0, -1).map((src) => (flags.from ? posix.relative(workdirOf(build!), src) : posix.normalize(src).replace(/\/$/, '')));
  return { ...(flags.from ? { from: flags.from } : {}), sources, dest: rest.at(-1)! };
}

/** Applies a stage's COPY lines under `root` (its WORKDIR): from the context, or from `fromRoot`. */
function applyCopies(stage: Stage, root: string, fromRoot?: string): void {
  mkdirSync(root, { recursive: true });
  for (const step of stage.steps.filter((s) => s.op === 'COPY')) {
    const { from, sources, dest } = copyOf(step);
    for (const rel of sources) {
      const source = resolve(from ? fromRoot! : '.', rel);
      const target = resolve(root, dest.endsWith('/') || sources.length > 1 ? join(dest, posix.basename(rel)) : dest);
      mkdirSync(dirname(target), { recursive: true });
      if (rel === 'node_modules') symlinkSync(resolve('node_modules'), target);
      else cpSync(source, target, { recursive: statSync(source).isDirectory() });
    }
  }
}

before(async () => {
  // The build stage: its COPY lines, node_modules standing in for `npm ci`, then its build.
  applyCopies(build!, buildDir);
  symlinkSync(resolve('node_modules'), join(buildDir, 'node_modules'));
  const built = await runCommand([join(buildDir, 'scripts/build.mjs'), '--if-stale', '--quiet']);
  assert.equal(built.code, 0, `the build stage's files build: ${built.out}`);
}, { timeout: 300_000 });

test('the Dockerfile: two stages on Node 24 slim, a non-root user, /data, the port, a healthcheck without curl', () => {
  assert.ok(build, 'a build stage the runtime copies from');
  for (const s of stages) assert.match(s.from, /^node:24-(bookworm-)?slim$/, s.from);
  assert.ok(build.steps.some((s) => s.op === 'RUN' && /\bnpm ci\b/.test(s.args)), 'npm ci');
  assert.ok(build.steps.some((s) => s.op === 'RUN' && /npm prune --omit=dev/.test(s.args)), 'dev dependencies pruned');
  const user = one(runtime, 'USER');
  assert.notEqual(user, 'root');
  assert.ok(!/^0(:|$)/.test(user), 'not uid 0');
  const env = envOf(runtime);
  assert.equal(env.NODE_ENV, 'production');
  assert.equal(env.DATABASE_URL, 'sqlite:/data/flowgate.db', 'the SQLite file on the volume');
  assert.equal(one(runtime, 'VOLUME'), '/data');
  assert.equal(one(runtime, 'EXPOSE'), env.PORT, 'EXPOSE is the PORT the image listens on');
  // Below docker's default 10 s stop timeout, so the drain finishes before a SIGKILL.
  assert.ok(Number(env.FLOWGATE_SHUTDOWN_GRACE_MS) < 10_000, 'the shutdown grace fits docker stop');
  const health = one(runtime, 'HEALTHCHECK');
  assert.match(health, /\/healthz/);
  assert.doesNotMatch(health, /curl|wget/);
  assert.equal(one(runtime, 'STOPSIGNAL'), 'SIGTERM');
});

test('.dockerignore keeps local installs, data, builds and history out of the context', () => {
  for (const entry of ['node_modules', 'data', '.git', 'dist', 'flowgate.yaml']) assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
  const gitignored = readFileSync('.gitignore', 'utf8').split('\n').map((l) => l.trim());
  assert.ok(gitignored.includes('flowgate.yaml'), '.gitignore lists flowgate.yaml (init writes a client secret into it)');
});

test('the image ships LICENSE; package-lock.json\'s root engines are package.json\'s (a clean install leaves the lock alone)', () => {
  assert.ok(runtime.steps.some((s) => s.op === 'COPY' && copyOf(s).sources.includes('LICENSE')), 'COPY LICENSE');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: unknown };
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: unknown }> };
  assert.deepEqual(lock.packages['']!.engines, pkg.engines);
});

test('every COPY source exists: from the context (and not ignored), or made in the build stage', () => {
  const intoBuild = new Set<string>(BUILT);
  for (const stage of stages) {
    for (const step of stage.steps.filter((s) => s.op === 'COPY')) {
      const { from, sources } = copyOf(step);
      assert.ok(sources.length > 0, step.args);
      for (const rel of sources) {
        if (from) {
          assert.equal(from, build!.name);
          assert.ok(!rel.startsWith('..'), `${rel} is under the build stage's WORKDIR`);
          assert.ok(intoBuild.has(rel), `${rel} is copied into, or made in, the build stage`);
          assert.ok(existsSync(join(buildDir, rel)), `${rel} exists after the build stage`);
        } else {
          assert.ok(existsSync(rel), `COPY ${rel}: no such file in the repository`);
          assert.ok(!ignored.includes(rel.split('/')[0]!), `COPY ${rel} is excluded by .dockerignore`);
          if (stage === build) intoBuild.add(rel);
        }
      }
    }
  }
});

test('the image\'s CMD and ENV are what package.json\'s start script execs', () => {
  assert.deepEqual(words(one(runtime, 'CMD')).rest, ['node', ...serverArgs()], 'CMD vs the start script');
  const env = envOf(runtime);
  for (const [name, value] of Object.entries(serverEnv())) assert.equal(env[name], value, `ENV ${name} vs the start script`);
});

/** The runtime stage's COPY lines, applied to a temporary /app (from the context and the build stage). */
function assembleImage(): void {
  assert.equal(workdirOf(runtime), '/app');
  mkdirSync(data, { recursive: true });
  applyCopies(runtime, app, buildDir);
}

/** The image's ENV with /data standing in at the temporary data directory. */
const imageEnv = (port: number): Record<string, string> => {
  const env = Object.fromEntries(Object.entries(envOf(runtime)).map(([k, v]) => [k, v.replace(/(^|:)\/data\//, `$1${data}/`)]));
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env, PORT: String(port) };
};

/** An exec-form command of the image, node being this test's Node, in /app. */
function run(argv: string[], env: Record<string, string>) {
  assert.equal(argv[0], 'node');
  const proc = spawn(process.execPath, argv.slice(1), { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = once(proc, 'exit').then(([code]) => code as number);
  return { proc, output: () => out, exited };
}

test('without a config file the image refuses to start: one line, exit 1, no stack', { timeout: 60_000 }, async () => {
  assembleImage();
  const server = run(words(one(runtime, 'CMD')).rest, imageEnv(await freePort()));
  assert.equal(await server.exited, 1, server.output());
  assert.match(server.output(), /sms\.connectors: 'console' is for development; with NODE_ENV=production configure a real provider/);
  assert.doesNotMatch(server.output(), /^\s+at /m);
});

test('the image\'s CMD, run as the image would, becomes ready, passes its HEALTHCHECK, and drains on SIGTERM (exit 0)', { timeout: 120_000 }, async () => {
  if (!existsSync(app)) assembleImage();
  const port = await freePort();
  const config = join(dir, 'flowgate.yaml');
  writeFileSync(config, [
    'clients:',
    '  - client_id: my-app',
    '    client_secret: a-long-random-secret-of-16-or-more-characters',
    '    redirect_uris: [https://app.example.com/callback]',
    'sms:',
    '  connectors:',
    '    - type: webhook',
    '      url: https://sms.example.com/send',
    '      bodyTemplate: { to: "{{to}}", text: "{{body}}" }',
    '',
  ].join('\n'));
  // What an operator passes with `docker run -e …` (README, "Container image").
  const env = {
    ...imageEnv(port), FLOWGATE_CONFIG: config, FLOWGATE_ISSUER: 'https://id.example.com',
    FLOWGATE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  };
  const server = run(words(one(runtime, 'CMD')).rest, env);
  try {
    const deadline = Date.now() + 60_000;
    let ready = 0;
    while (ready !== 200) {
      assert.equal(server.proc.exitCode, null, `exited:\n${server.output()}`);
      assert.ok(Date.now() < deadline, `not ready in 60 s:\n${server.output()}`);
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(existsSync(join(data, 'flowgate.db')), 'the SQLite file is on the volume');
    assert.doesNotMatch(server.output(), /FLOWGATE_KEY_ENCRYPTION_KEY/, 'no warning: the key is set');

    const health = run(words(one(runtime, 'HEALTHCHECK').replace(/^.*?\bCMD\s+/, '')).rest, env);
    assert.equal(await health.exited, 0, `HEALTHCHECK: ${health.output()}`);

    // `docker exec <container> node bin/flowgate.mjs …` runs the compiled CLI (dist/ is fresh in the
    // image: src/, the tsconfigs and scripts/build.mjs are there to tell) against the same store.
    const fresh = run(['node', '--input-type=module', '-e', "process.exit((await import('./scripts/build.mjs')).distIsFresh() ? 0 : 1)"], env);
    assert.equal(await fresh.exited, 0, `dist/ is fresh in the image: ${fresh.output()}`);
    const cli = run(['node', 'bin/flowgate.mjs', 'keys', 'list'], env);
    assert.equal(await cli.exited, 0, cli.output());
    assert.match(cli.output(), /RS256/);
  } finally {
    server.proc.kill('SIGTERM');
  }
  assert.equal(await server.exited, 0, server.output());
  assert.match(server.output(), /flowgate stopped/);
});
