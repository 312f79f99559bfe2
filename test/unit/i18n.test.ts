// Page message catalogs: German is complete with the same placeholders, locale choice, per-message
// fallback, page titles for every hosted view, names of the ways to sign in.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { localizeChoices } from '../../src/web/choice-labels.ts';
import { createViews, titleKeyOf } from '../../src/web/views.ts';
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

// Catalogue hygiene: keys the views name exist, every hosted view has a title, German differs from English.
const viewsDir = join(import.meta.dirname, '..', '..', 'views');
function viewFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? viewFiles(p) : p.endsWith('.hbs') ? [p] : [];
  });
}
/** Views a person can reach (the admin console stays English and names its own titles). */
const hostedViews = viewFiles(viewsDir).map((f) => relative(viewsDir, f).replace(/\.hbs$/, ''))
  .filter((v) => !v.startsWith('layouts/') && !v.startsWith('partials/') && !v.startsWith('admin/'));

test('every en key has a de key with the same {placeholders}, plural forms included', { timeout: 5_000 }, () => {
  for (const key of Object.keys(en) as MessageKey[]) {
    assert.ok(Object.hasOwn(de, key), `de is missing ${key}`);
    assert.deepEqual(placeholders(de[key]), placeholders(en[key]), `placeholders differ for ${key}: “${en[key]}” / “${de[key]}”`);
    const plural = /^(.*)\.(zero|one|two|few|many)$/.exec(key);
    if (plural) assert.ok(Object.hasOwn(en, plural[1]!), `${key} is a plural form of ${plural[1]}, which must exist (the other form)`);
  }
});

test('German text is not English copied: only words that are the same in both languages repeat', { timeout: 5_000 }, () => {
  const same = (Object.keys(en) as MessageKey[]).filter((k) => de[k] === en[k]);
  assert.deepEqual(same.sort(), ['account.name', 'profile.name', 'profile.optional']);
});

test('every hosted view has a page title in the catalogue, and flow kinds that differ have their own', { timeout: 5_000 }, () => {
  assert.ok(hostedViews.length >= 15, `found the views: ${hostedViews.join(', ')}`);
  for (const view of hostedViews) {
    const key = titleKeyOf(view, {});
    assert.ok(key, `views/${view}.hbs has no title.* key`);
    assert.notEqual(translate('de', key), translate('en', key), `${key} is translated`);
  }
  assert.equal(titleKeyOf('interaction/phone', { flowKind: 'register' }), 'title.phone_register');
  assert.equal(titleKeyOf('interaction/code', { flowKind: 'sign-in' }), 'title.code', 'no kind-specific title: the view\'s');
  assert.equal(titleKeyOf('error', { message: 'not_found' }), 'title.error_not_found');
  assert.equal(titleKeyOf('error', { message: 'csrf' }), 'title.error');
  assert.equal(titleKeyOf('account/index', {}), 'title.account');
  const titles = new Set(['sign-in', 'register', 'reset-credentials', 'change-phone'].map((k) => translate('de', titleKeyOf('interaction/phone', { flowKind: k })!)));
  assert.equal(titles.size, 4, 'the phone page of each flow kind has its own title');
  assert.notEqual(translate('de', titleKeyOf('interaction/code', {})!), translate('de', titleKeyOf('interaction/phone', { flowKind: 'sign-in' })!));
});

test('every message key a view names literally exists; every prefix a view builds keys from has messages', { timeout: 5_000 }, () => {
  for (const file of viewFiles(viewsDir)) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\{\{t "([^"]+)"/g)) assert.ok(Object.hasOwn(en, m[1]!), `${relative(viewsDir, file)}: unknown key ${m[1]}`);
    for (const m of source.matchAll(/\(concat "([a-z_-]+\.[a-z_-]*)"/g)) {
      assert.ok(Object.keys(en).some((k) => k.startsWith(m[1]!)), `${relative(viewsDir, file)}: no message starts with ${m[1]}`);
    }
  }
});

test('the page title is "<page title> · <appName>" in the page\'s language; the admin console names its own', { timeout: 5_000 }, () => {
  const render = createViews(viewsDir, 'Acme');
  const titleIn = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
  assert.equal(titleIn(render('logged-out', { locale: 'de' })), `${de['title.logged-out']} · Acme`);
  assert.equal(titleIn(render('logged-out', { locale: 'en' })), `${en['title.logged-out']} · Acme`);
  assert.equal(titleIn(render('error', { locale: 'de', message: 'not_found' })), `${de['title.error_not_found']} · Acme`);
  assert.equal(titleIn(render('error', { locale: 'de', message: 'csrf', titleKey: 'title.logout' })), `${de['title.logout']} · Acme`, 'a model may name the key');
  assert.equal(titleIn(render('admin/forbidden', { locale: 'en', title: 'Flows' })), 'Flows · Acme');
});

test('plugins may name themselves per locale; built-ins take the catalogue; others stay as written', { timeout: 5_000 }, () => {
  const choices = [
    { id: 'sms', label: 'SMS code', authenticator: 'sms-otp' },
    { id: 'app', label: 'Authenticator app', authenticator: 'totp-plugin', labels: { de: 'Authenticator-App' } },
    { id: 'key', label: 'Security key', authenticator: 'key-plugin' },
  ];
  assert.deepEqual(localizeChoices('de', choices).map((c) => c.label), [de['authenticator.sms-otp'], 'Authenticator-App', 'Security key']);
  assert.deepEqual(localizeChoices('en', choices).map((c) => c.label), [en['authenticator.sms-otp'], 'Authenticator app', 'Security key']);
});
