// Plugin authenticators: loaded from modules, shape-checked, refused with the module and the problem.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { FlowError, loadFlowText } from '../../src/flows/loader.ts';
import { loadPluginAuthenticators, PluginError } from '../../src/flows/plugins.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';
import * as alwaysYesModule from '../fixtures/authenticators/always-yes.ts';

const baseDir = resolve('test/fixtures/authenticators');
const flowText = (config: string) =>
  `id: x\nsteps:\n  - id: a\n    authenticator: identify-phone\n    requirement: REQUIRED\n  - id: b\n    authenticator: always-yes\n    requirement: REQUIRED\n${config}`;

test('a valid plugin is registered, not created, and usable in a flow with its config checked', async () => {
  const registry = builtinAuthenticators();
  await loadPluginAuthenticators(['always-yes.ts'], registry, baseDir);
  assert.deepEqual([...registry.keys()].sort(), [...builtinAuthenticators().keys(), 'always-yes'].sort());
  assert.equal(registry.get('always-yes'), alwaysYesModule.default);
  assert.equal(alwaysYesModule.created, 0, 'create() must not run at load');

  const flow = loadFlowText('flows/x.yaml', flowText(''), registry);
  assert.deepEqual(flow.steps[1]!.resolvedConfig, { label: 'ok' });
  const custom = loadFlowText('flows/x.yaml', flowText('    config: { label: hi }\n'), registry);
  assert.deepEqual(custom.steps[1]!.resolvedConfig, { label: 'hi' });

  assert.throws(
    () => loadFlowText('flows/x.yaml', flowText('    config: { label: 5 }\n'), registry),
    (err: Error) => err instanceof FlowError && /flows\/x.yaml: step 'b', field config.label: /.test(err.message),
  );
  assert.throws(
    () => loadFlowText('flows/x.yaml', flowText('    config: { nope: 1 }\n'), registry),
    (err: Error) => err instanceof FlowError && /step 'b', field config/.test(err.message),
  );
  // Without the plugin the same flow is refused.
  assert.throws(() => loadFlowText('flows/x.yaml', flowText(''), builtinAuthenticators()), /unknown authenticator 'always-yes'/);
});

test('an absolute path works', async () => {
  const registry = builtinAuthenticators();
  await loadPluginAuthenticators([join(baseDir, 'always-yes.ts')], registry, '/nonexistent');
  assert.ok(registry.has('always-yes'));
});

test('a bad shape is refused naming the module and the field', async () => {
  const registry = builtinAuthenticators();
  await assert.rejects(
    loadPluginAuthenticators(['bad-shape.ts'], registry, baseDir),
    (err: Error) => err instanceof PluginError && /authenticator plugin bad-shape.ts: .*field create: must be a function/.test(err.message),
  );
  assert.ok(!registry.has('bad-shape'));
});

test('clashes are refused: with a built-in and with another plugin; the registry is unchanged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugins-'));
  writeFileSync(join(dir, 'fake-sms.mjs'), `import { smsOtp } from ${JSON.stringify(resolve('src/authenticators/sms-otp/index.ts'))};\nexport default { ...smsOtp, displayName: 'Fake' };\n`);
  const registry = builtinAuthenticators();
  const before = new Map(registry);
  await assert.rejects(
    loadPluginAuthenticators(['fake-sms.mjs'], registry, dir),
    /authenticator plugin fake-sms.mjs: field id: 'sms-otp' clashes with the built-in/,
  );
  await assert.rejects(
    loadPluginAuthenticators(['always-yes.ts', join(baseDir, 'always-yes.ts')], registry, baseDir),
    new RegExp(`authenticator plugin ${join(baseDir, 'always-yes.ts')}: field id: 'always-yes' clashes with the plugin always-yes.ts`),
  );
  assert.deepEqual(registry, before);
});

test('a missing file, a module without a factory export and a bad defaultConfig are refused naming the path', async () => {
  const registry = builtinAuthenticators();
  await assert.rejects(
    loadPluginAuthenticators(['does-not-exist.ts'], registry, baseDir),
    (err: Error) => err instanceof PluginError
      && err.message.startsWith('authenticator plugin does-not-exist.ts: cannot import ')
      && err.message.includes(join(baseDir, 'does-not-exist.ts')),
  );
  const dir = mkdtempSync(join(tmpdir(), 'plugins-'));
  writeFileSync(join(dir, 'nothing.mjs'), 'export const something = 1;\n');
  await assert.rejects(loadPluginAuthenticators(['nothing.mjs'], registry, dir), /authenticator plugin nothing.mjs: no factory export/);
  writeFileSync(join(dir, 'bad-default.mjs'), `import { identifyPhone } from ${JSON.stringify(resolve('src/authenticators/identify-phone/index.ts'))};\nexport const authenticator = { ...identifyPhone, id: 'bad-default', defaultConfig: { extra: 1 } };\n`);
  await assert.rejects(loadPluginAuthenticators(['bad-default.mjs'], registry, dir), /authenticator plugin bad-default.mjs: field defaultConfig: does not pass configSchema/);
  writeFileSync(join(dir, 'bad-id.mjs'), `import { identifyPhone } from ${JSON.stringify(resolve('src/authenticators/identify-phone/index.ts'))};\nexport default { ...identifyPhone, id: 'Bad_Id', requirementChoices: [] };\n`);
  await assert.rejects(loadPluginAuthenticators(['bad-id.mjs'], registry, dir), /authenticator plugin bad-id.mjs: not an authenticator factory: field id: .*; field requirementChoices: /);
  assert.deepEqual([...registry.keys()], [...builtinAuthenticators().keys()]);
});
