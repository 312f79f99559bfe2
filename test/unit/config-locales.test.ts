// Locales and countries in config are checked at start-up: each refusal is a ConfigError naming the
// field and the bad value, with the valid choices or what was probably meant.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { startServer } from '../helpers/server.ts';

/** The ConfigError's message for a config, failing when the config is accepted. */
function refusal(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw, 'flowgate.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

test('defaultLocale must be a locale flowgate has pages for; the message lists them', { timeout: 10_000 }, () => {
  const fr = refusal({ defaultLocale: 'fr' });
  assert.match(fr, /^flowgate\.yaml: defaultLocale: 'fr' is not a locale flowgate has pages for/);
  assert.match(fr, /use one of: en, de/);
  assert.doesNotMatch(fr, /did you mean/);
  for (const [value, meant] of [['de-DE', 'de'], ['DE', 'de'], ['deu', 'de'], ['German', 'de'], ['Deutsch', 'de'], ['en_US', 'en'], ['English', 'en']]) {
    assert.match(refusal({ defaultLocale: value }), new RegExp(`defaultLocale: '${value}' .*did you mean '${meant}'\\?`), value);
  }
  assert.equal(parseConfig({ defaultLocale: 'de' }).defaultLocale, 'de');
  assert.equal(parseConfig({}).defaultLocale, 'en');
});

test('defaultRegion must be a region libphonenumber-js knows, with a "did you mean" when close', { timeout: 10_000 }, () => {
  assert.match(refusal({ defaultRegion: 'UK' }), /^flowgate\.yaml: defaultRegion: 'UK' is not a region libphonenumber-js knows .*did you mean 'GB' \(United Kingdom\)\?/);
  assert.match(refusal({ defaultRegion: 'Germany' }), /defaultRegion: 'Germany' .*did you mean 'DE' \(Germany\)\?/);
  assert.match(refusal({ defaultRegion: 'Deutschland' }), /did you mean 'DE'/);
  const xx = refusal({ defaultRegion: 'XX' });
  assert.match(xx, /defaultRegion: 'XX' is not a region/);
  assert.match(xx, /use one of: AC, AD, AE, .*\bDE\b.*\bUS\b/, 'without a likely match, the valid codes are listed');
  assert.equal(parseConfig({ defaultRegion: 'de' }).defaultRegion, 'DE', 'lower case is accepted and upper-cased');
});

test('sms.allowedCountries: every entry must be a known region; the refusal names its index', { timeout: 10_000 }, () => {
  assert.match(refusal({ sms: { allowedCountries: ['US', 'DE', 'UK'] } }), /^flowgate\.yaml: sms\.allowedCountries\.2: 'UK' .*did you mean 'GB'/);
  assert.match(refusal({ sms: { allowedCountries: ['EU'] } }), /sms\.allowedCountries\.0: 'EU' is not a region/);
  assert.deepEqual(parseConfig({ sms: { allowedCountries: ['us', 'de'] } }).sms.allowedCountries, ['US', 'DE']);
});

test('SMS template locale keys must be BCP 47 tags written canonically', { timeout: 10_000 }, () => {
  const tpl = '{{code}} is your code';
  assert.match(refusal({ sms: { templates: { 'sign-in': { de_AT: tpl } } } }), /^flowgate\.yaml: sms\.templates\.sign-in\.de_AT: 'de_AT' is not a BCP 47 language tag .*did you mean 'de-AT'\?/);
  assert.match(refusal({ sms: { templates: { reset: { 'de-at': tpl } } } }), /sms\.templates\.reset\.de-at: .*did you mean 'de-AT'\?/);
  assert.match(refusal({ sms: { templates: { 'sign-in': { english: tpl } } } }), /sms\.templates\.sign-in\.english: 'english' is not a BCP 47 language tag/);
  assert.match(refusal({ sms: { templates: { 'sign-in': { 'en-GB-x-': tpl } } } }), /'en-GB-x-' is not a BCP 47 language tag/);
  const ok = parseConfig({ sms: { templates: { 'sign-in': { en: tpl, 'de-AT': tpl, 'zh-Hant': tpl, 'es-419': tpl } } } });
  assert.deepEqual(Object.keys(ok.sms.templates['sign-in']!), ['en', 'de-AT', 'zh-Hant', 'es-419']);
});

test('a flow step\'s template locale keys are checked the same way at start-up', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-locales-'));
  try {
    writeFileSync(join(dir, 'sign-in.yaml'), [
      'id: sign-in',
      'steps:',
      '  - { id: identify, authenticator: identify-phone, requirement: REQUIRED }',
      '  - id: sms',
      '    authenticator: sms-otp',
      '    requirement: REQUIRED',
      '    config:',
      '      templates:',
      '        de_DE: "{{code}} ist Ihr Code"',
      '',
    ].join('\n'));
    await assert.rejects(startServer({ config: { flowsDir: dir } }), (err: Error) => {
      assert.match(err.message, /sms.*de_DE.*'de_DE' is not a BCP 47 language tag.*did you mean 'de-DE'\?/s);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
