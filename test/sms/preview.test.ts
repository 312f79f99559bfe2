// previewTemplate: compileTemplate's rules per usage, every unknown variable named, sample values, measurement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { previewTemplate, unknownVariables } from '../../src/sms/preview.ts';
import { defaultTemplates, MAX_TEMPLATE_LENGTH, requiresCode } from '../../src/sms/template.ts';
import { usages } from '../../src/sms/types.ts';
import Handlebars from 'handlebars';

test('renders with sample values and measures the text', () => {
  const r = previewTemplate('{{code}} is your {{appName}} code ({{ttlMinutes}} min) @{{host}}', { usage: 'sign-in', sample: { appName: 'Acme', host: 'id.acme.test' } });
  assert.deepEqual(r, {
    ok: true, text: '123456 is your Acme code (5 min) @id.acme.test', characters: 46, encoding: 'GSM-7', segments: 1, perSegment: 160,
    variables: ['code', 'appName', 'ttlMinutes', 'host'],
  });
});

test('defaults: flowgate, example.com, a code of codeLength digits; the sample wins', () => {
  const r = previewTemplate('{{code}} {{appName}} {{host}}', { usage: 'generic', codeLength: 8 });
  assert.ok(r.ok);
  assert.equal(r.text, '12345678 flowgate example.com');
  const s = previewTemplate('{{code}}', { usage: 'generic', sample: { code: 'ABC-123' } });
  assert.ok(s.ok && s.text === 'ABC-123');
});

test('a code usage must contain {{code}}; a notice (welcome, phone-changed) need not and renders without one', () => {
  for (const usage of ['sign-in', 'register', 'reset', 'phone-change', 'generic'] as const) {
    assert.deepEqual(previewTemplate('Hello from {{appName}}', { usage }), { ok: false, problem: 'must contain {{code}}', unknownVariables: [] });
  }
  for (const usage of ['welcome', 'phone-changed'] as const) {
    const r = previewTemplate('Welcome to {{appName}}![{{code}}]', { usage });
    assert.ok(r.ok, usage);
    assert.equal(r.text, 'Welcome to flowgate![]');
  }
  assert.deepEqual(usages.filter((u) => !requiresCode(u)), ['phone-changed', 'welcome']);
});

test('every built-in default template previews for its usage', () => {
  for (const [usage, byLocale] of Object.entries(defaultTemplates)) {
    for (const [locale, source] of Object.entries(byLocale)) {
      const r = previewTemplate(source, { usage: usage as (typeof usages)[number] });
      assert.ok(r.ok, `${usage}/${locale}: ${JSON.stringify(r)}`);
      assert.ok(r.segments >= 1);
    }
  }
});

test('every unknown variable is listed, not only the first', () => {
  const r = previewTemplate('{{code}} {{name}} {{user.phone}} {{name}} {{@root}} {{this}} {{code}}', { usage: 'sign-in' });
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.deepEqual(r.unknownVariables, ['name', 'user.phone', '@root', 'this']);
  assert.match(r.problem, /^unknown variables or expressions 'name', 'user\.phone', '@root', 'this'; allowed: \{\{code\}\}, \{\{ttlMinutes\}\}, \{\{appName\}\}, \{\{host\}\}$/);
});

test('one unknown variable: compileTemplate\'s own message', () => {
  const r = previewTemplate('{{code}} {{nope}}', { usage: 'sign-in' });
  assert.deepEqual(r, { ok: false, problem: "unknown variable or expression 'nope'; allowed: {{code}}, {{ttlMinutes}}, {{appName}}, {{host}}", unknownVariables: ['nope'] });
});

test('helpers, blocks, partials and triple braces are refused; names inside blocks are still listed', () => {
  const block = previewTemplate('{{#if vip}}{{code}} {{bonus}}{{else}}{{other}}{{/if}}', { usage: 'sign-in' });
  assert.ok(!block.ok);
  assert.match(block.problem, /'BlockStatement' is not allowed/);
  assert.deepEqual(block.unknownVariables, ['vip', 'bonus', 'other']);
  const helper = previewTemplate('{{code}} {{lookup foo "x"}} {{upper (lower bar)}}', { usage: 'sign-in' });
  assert.ok(!helper.ok);
  assert.deepEqual(helper.unknownVariables, ['lookup', 'foo', 'upper', 'lower', 'bar']);
  const partial = previewTemplate('{{code}} {{> evil}}', { usage: 'sign-in' });
  assert.ok(!partial.ok && /PartialStatement/.test(partial.problem));
  const triple = previewTemplate('{{{code}}}', { usage: 'sign-in' });
  assert.deepEqual(triple, { ok: false, problem: 'use {{code}}, not triple braces', unknownVariables: [] });
});

test('syntax errors and over-long templates', () => {
  const broken = previewTemplate('{{code', { usage: 'sign-in' });
  assert.ok(!broken.ok && /^does not compile/.test(broken.problem));
  assert.deepEqual(broken.ok ? [] : broken.unknownVariables, []);
  const long = previewTemplate(`{{code}}${'x'.repeat(MAX_TEMPLATE_LENGTH)}`, { usage: 'sign-in' });
  assert.deepEqual(long, { ok: false, problem: `longer than ${MAX_TEMPLATE_LENGTH} characters`, unknownVariables: [] });
});

test('UCS-2 and multi-segment templates are measured', () => {
  const r = previewTemplate('{{code}} — ваш код для {{appName}}. Он действует {{ttlMinutes}} минут. Никому его не сообщайте.', { usage: 'sign-in' });
  assert.ok(r.ok);
  assert.equal(r.encoding, 'UCS-2');
  assert.equal(r.segments, 2);
  assert.equal(r.perSegment, 67);
});

test('unknownVariables on a parsed template', () => {
  assert.deepEqual(unknownVariables(Handlebars.parse('{{code}} {{host}}')), []);
  assert.deepEqual(unknownVariables(Handlebars.parse('{{a}} {{"lit"}} {{x key=y}}')), ['a', 'lit', 'x', 'y']);
});

test('config sms.templates uses the same rule: notices (phone-changed too) need no {{code}}', async () => {
  const { parseConfig } = await import('../../src/config/load.ts');
  const config = parseConfig({ sms: { templates: { 'phone-changed': { en: 'Your {{appName}} number changed.' }, welcome: { en: 'Hi from {{appName}}' } } } });
  assert.equal(config.sms.templates['phone-changed']?.en, 'Your {{appName}} number changed.');
  assert.throws(() => parseConfig({ sms: { templates: { reset: { en: 'No code here' } } } }), /sms\.templates\.reset\.en: template must contain \{\{code\}\}/);
});
