// test/helpers/english.ts finds English on a page: catalogue messages (with their placeholders
// filled), English words in text, attributes and button values; German pages pass.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { englishMessagesIn, englishReport, englishWordsIn, showsMessage, titleOf, visibleTexts } from '../helpers/english.ts';
import { createViews } from '../../src/web/views.ts';

const render = createViews(join(import.meta.dirname, '..', '..', 'views'), 'flowgate');
const codeModel = { uid: 'u1', csrf: 'c', stepId: 'sms', phone: '+12025550100', codeLength: 6, ttlMinutes: 5, codeForm: true, numeric: true, codeError: 'code_invalid', attemptsLeft: 1, choices: [] };

test('an English page is found out: catalogue messages with placeholders filled, plural forms, the title', { timeout: 10_000 }, () => {
  const html = render('interaction/code', { locale: 'en', ...codeModel });
  const keys = englishMessagesIn(html).map((f) => f.key);
  for (const key of ['code.heading', 'code.sent', 'code.hint', 'code.code_invalid.one', 'code.submit', 'title.code']) assert.ok(keys.includes(key), `${key} found in ${keys.join(', ')}`);
  assert.ok(englishWordsIn(html).length > 0);
});

test('the same page in German passes both checks', { timeout: 10_000 }, () => {
  const html = render('interaction/code', { locale: 'de', ...codeModel });
  assert.deepEqual(englishReport(html), []);
  assert.ok(showsMessage(html, 'Dieser Code ist nicht richtig. Noch {attempts} Versuch für diesen Code.'));
});

test('English outside the catalogue in attributes, button values and entities is found; scripts and skipped data are not', { timeout: 10_000 }, () => {
  const html = `<!DOCTYPE html><html lang="de"><head><title>Fehler &middot; flowgate</title><script>var the = "you";</script></head><body>
    <img src="x.png" alt="Logo of the app"><button aria-label="Close this">×</button><input type="submit" value="Save">
    <input type="text" name="q" value="the typed value" placeholder="Ihre Nummer"><p>Sie haben&nbsp;recht &#x27;Reload&#x27;</p>
    <pre>{"name": "the data"}</pre><!-- the comment --></body></html>`;
  const words = englishWordsIn(html, { skip: ['pre'] }).map((f) => f.word.toLowerCase());
  assert.deepEqual(words.sort(), ['close', 'reload', 'save', 'the', 'this']);
  assert.ok(visibleTexts(html).includes('Ihre Nummer'), 'placeholders are read');
  assert.ok(!visibleTexts(html).some((t) => t.includes('typed value')), 'a text field\'s value is data, not a label');
  assert.equal(titleOf(html), 'Fehler · flowgate');
  assert.deepEqual(englishWordsIn('<p>The Example Co: your account</p>', { allow: ['The Example Co'] }).map((f) => f.word), ['your', 'account'], 'names from the data are allowed');
});
