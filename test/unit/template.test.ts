// SMS templates: fixed variables, no helpers, no HTML escaping; bad templates refused at load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate, defaultTemplates, TemplateError } from '../../src/sms/template.ts';
import { smsOtpConfigSchema } from '../../src/authenticators/sms-otp/config.ts';

const vars = { code: '123456', ttlMinutes: '5', appName: 'Acme & Co <Shop>', host: 'id.example.com' };

test('renders the variables without HTML escaping and ends with the WebOTP line', () => {
  const out = compileTemplate(defaultTemplates['sign-in']!.en!)(vars);
  assert.equal(out, '123456 is your Acme & Co <Shop> sign-in code. It expires in 5 minutes.\n\n@id.example.com #123456');
});

test('refuses anything beyond the fixed variables', () => {
  const bad = [
    "{{constructor.constructor('return process')()}}",
    '{{code}} {{process}}',
    '{{code}} {{#each x}}{{/each}}',
    '{{code}} {{> partial}}',
    '{{code}} {{lookup this "constructor"}}',
    '{{code}} {{@root}}',
    '{{code}} {{../code}}',
    '{{{code}}}',
    '{{code} is broken',
    `{{code}} ${'x'.repeat(600)}`,
    'no code here {{appName}}',
  ];
  for (const source of bad) assert.throws(() => compileTemplate(source), TemplateError, source);
});

test('a step config with a bad template names the locale and the problem', () => {
  const result = smsOtpConfigSchema.safeParse({ templates: { de: '{{code}} {{user.name}}' } });
  assert.equal(result.success, false);
  const issue = result.error!.issues[0]!;
  assert.deepEqual(issue.path, ['templates', 'de']);
  assert.match(issue.message, /unknown variable or expression 'user.name'/);
});

test('the config defaults follow the documented values', () => {
  const c = smsOtpConfigSchema.parse({});
  assert.deepEqual(
    [c.codeLength, c.ttlSeconds, c.maxAttempts, c.resendCooldownSeconds, c.maxSendsPerInteraction, c.maxFailuresPerInteraction],
    [6, 300, 5, 60, 5, 10],
  );
  assert.equal(smsOtpConfigSchema.safeParse({ codeLength: 4 }).success, false, 'codes shorter than 6 digits are refused');
  assert.equal(smsOtpConfigSchema.safeParse({ ttlSeconds: 3600 }).success, false, 'codes valid over 10 minutes are refused');
});
