// Page message catalogs: German is complete with the same placeholders, locale choice, per-message fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { de } from '../../src/web/i18n/de.ts';
import { en, type MessageKey } from '../../src/web/i18n/en.ts';
import { locales, pickLocale, translate } from '../../src/web/i18n/index.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

test('German is registered and has every English key with the same placeholders', () => {
  assert.ok(locales.includes('de'));
  for (const key of Object.keys(en) as MessageKey[]) {
    assert.equal(typeof de[key], 'string', `de is missing ${key}`);
    assert.ok(de[key].trim().length > 0, `de.${key} is empty`);
    assert.deepEqual(placeholders(de[key]), placeholders(en[key]), `placeholders differ for ${key}`);
  }
  assert.deepEqual(Object.keys(de).filter((k) => !(k in en)), [], 'de has keys en does not');
});

test('translate fills placeholders in German', () => {
  assert.equal(translate('de', 'code.hint', { length: 6, minutes: 5 }), 'Der Code hat 6 Stellen und ist 5 Minuten lang gültig.');
  assert.equal(translate('de', 'code.heading'), de['code.heading']);
});

test('ui_locales wins over Accept-Language', () => {
  assert.equal(pickLocale('de', 'en-US,en;q=0.9', 'en'), 'de');
  assert.equal(pickLocale('en', 'de-DE,de;q=0.9', 'en'), 'en');
  assert.equal(pickLocale('fr de', 'en', 'en'), 'de');
});

test('Accept-Language is used without ui_locales', () => {
  assert.equal(pickLocale(undefined, 'de-DE,de;q=0.9', 'en'), 'de');
  assert.equal(pickLocale('', 'fr-FR, de;q=0.5', 'en'), 'de');
});

test('an unknown locale falls back to the default', () => {
  assert.equal(pickLocale('fr', undefined, 'en'), 'en');
  assert.equal(pickLocale('fr', 'fr-FR,fr;q=0.9', 'de'), 'de');
  assert.equal(pickLocale(undefined, undefined, 'de'), 'de');
  assert.equal(pickLocale('fr', undefined, 'xx'), 'en');
});

test('region tags map to their base language', () => {
  assert.equal(pickLocale('de-AT', undefined, 'en'), 'de');
  assert.equal(pickLocale(undefined, 'de-CH', 'en'), 'de');
  assert.equal(pickLocale('DE-de', undefined, 'en'), 'de');
});

test('a hostile 10 kB ui_locales does not throw and falls back', () => {
  const hostile = [
    'x'.repeat(10_000),
    'a-'.repeat(5_000),
    ' '.repeat(10_000),
    ','.repeat(10_000),
    'fr '.repeat(3_400),
    'toString valueOf hasOwnProperty '.repeat(320),
  ];
  for (const ui of hostile) {
    assert.ok(ui.length >= 9_900);
    assert.doesNotThrow(() => pickLocale(ui, undefined, 'en'));
    assert.equal(pickLocale(ui, undefined, 'en'), 'en', `for ${JSON.stringify(ui.slice(0, 20))}…`);
    assert.equal(pickLocale(ui, ui, 'en'), 'en');
  }
});

// Prototype names must not be taken for catalogs (they once rendered lang="constructor" and failed the SMS).
test('prototype property names in ui_locales fall back', () => {
  for (const ui of ['__proto__', 'constructor', '__proto__ '.repeat(1_000)]) {
    assert.equal(pickLocale(ui, undefined, 'en'), 'en', `for ${JSON.stringify(ui.slice(0, 20))}`);
    assert.equal(pickLocale(undefined, ui, 'en'), 'en');
  }
});

test('translate falls back to English per message, then to the key', () => {
  const saved = de['code.heading'];
  try {
    delete (de as Partial<Record<MessageKey, string>>)['code.heading'];
    assert.equal(translate('de', 'code.heading'), en['code.heading']);
    assert.equal(translate('de', 'code.submit'), de['code.submit'], 'other messages stay German');
  } finally {
    de['code.heading'] = saved;
  }
  assert.equal(translate('fr', 'code.heading'), en['code.heading']);
  assert.equal(translate('de', 'no.such_key'), 'no.such_key');
});

test('plural forms follow Intl.PluralRules: one try, two tries; eine Sekunde, zwei Sekunden', { timeout: 5_000 }, () => {
  assert.equal(translate('en', 'code.code_invalid', { attempts: 1 }), 'That code is not right. 1 try left for this code.');
  assert.equal(translate('en', 'code.code_invalid', { attempts: 2 }), 'That code is not right. 2 tries left for this code.');
  assert.equal(translate('de', 'code.code_invalid', { attempts: 1 }), 'Dieser Code ist nicht richtig. Noch 1 Versuch für diesen Code.');
  assert.equal(translate('de', 'code.code_invalid', { attempts: 3 }), 'Dieser Code ist nicht richtig. Noch 3 Versuche für diesen Code.');
  assert.equal(translate('en', 'wait.seconds', { n: 1 }), '1 second');
  assert.equal(translate('de', 'wait.minutes', { n: 1 }), '1 Minute');
  assert.equal(translate('de', 'wait.hours', { n: 2 }), '2 Stunden');
});
