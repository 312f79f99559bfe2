// Every rule and hostile input of SECURITY.md (mirrored in ./rules.ts) has a test named after it:
// a `test('rule N: …')` or `test('hostile: <input>…')` somewhere under test/. Fails naming the
// rules and inputs that have none.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOSTILE, RULES } from './rules.ts';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The literal titles of `test('…')`, `test("…")` and `test(`…`)` calls (no `${}` in them). */
function titles(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\btest\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`)/g)) {
    found.push((m[1] ?? m[2] ?? m[3]!).replace(/\\(.)/g, '$1'));
  }
  return found;
}

// This file's own comments spell the title patterns; it is left out.
const all = testFiles('test').filter((f) => !f.endsWith('coverage.test.ts')).flatMap((file) => titles(readFileSync(file, 'utf8')).map((title) => ({ file, title })));

test('every rule of SECURITY.md has a test titled `rule N: …`', { timeout: 10_000 }, () => {
  const missing = RULES.filter((n) => !all.some((t) => t.title.startsWith(`rule ${n}:`)));
  assert.deepEqual(missing, [], `rules without a test: ${missing.map((n) => `rule ${n}`).join(', ')}`);
});

test('every hostile input of SECURITY.md has a test titled `hostile: <input>…`', { timeout: 10_000 }, () => {
  const missing = HOSTILE.filter((h) => !all.some((t) => t.title.startsWith(`hostile: ${h}`)));
  assert.deepEqual(missing, [], `hostile inputs without a test: ${missing.join(' · ')}`);
});

test('no test names a rule or hostile input that SECURITY.md does not have', { timeout: 10_000 }, () => {
  const stray = all.filter(({ title }) => {
    const rule = /^rule ([0-9]+[ab]?):/.exec(title);
    if (rule) return !(RULES as readonly string[]).includes(rule[1]!);
    if (title.startsWith('hostile: ')) return !HOSTILE.some((h) => title.startsWith(`hostile: ${h}`));
    return /^rule \S*:/i.test(title);
  });
  assert.deepEqual(stray.map((s) => `${s.file}: ${s.title}`), []);
});

// Where the shared SECURITY.md is at hand (a developer's checkout, not CI's clean clone), its rule
// numbers must be the ones rules.ts mirrors; without it there is nothing to compare.
test('rules.ts lists the rule numbers of SECURITY.md (when ../shared/SECURITY.md exists)', { timeout: 10_000 }, () => {
  const path = join('..', 'shared', 'SECURITY.md');
  if (!existsSync(path)) return;
  const numbers = [...readFileSync(path, 'utf8').matchAll(/^(\d+[a-z]?)\. /gm)].map((m) => m[1]!);
  assert.deepEqual(numbers, [...RULES]);
});
