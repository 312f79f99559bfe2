// Which English strings a page shows: the visible text of an HTML page (text nodes, <title>,
// aria-label, alt, placeholder, title, button values) checked against the English catalogue
// messages that differ from their German ones, and against common English words. Used by the
// HTTP walk of the German pages; a Chromium walk can pass it page.content().
import { de } from '../../src/web/i18n/de.ts';
import { en, type MessageKey } from '../../src/web/i18n/en.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', middot: '·' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, name: string) => {
    if (name[0] === '#') {
      const code = name[1]!.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

const ATTRIBUTES = ['aria-label', 'alt', 'placeholder', 'title', 'aria-description', 'aria-placeholder', 'aria-roledescription'];

/** Every piece of text a person can see or hear on the page, decoded, one entry per text node or attribute. */
export function visibleTexts(html: string, opts: { skip?: readonly string[] } = {}): string[] {
  const skipped = ['script', 'style', 'template', ...(opts.skip ?? [])];
  let body = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of skipped) body = body.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}>`, 'gi'), ' ');
  const texts: string[] = [];
  for (const tag of body.matchAll(/<([a-z][a-z0-9-]*)\b([^>]*)>/gi)) {
    const [, name, attrs] = tag;
    for (const attr of attrs!.matchAll(/([a-z-]+)\s*=\s*("([^"]*)"|'([^']*)')/gi)) {
      const attrName = attr[1]!.toLowerCase();
      const value = attr[3] ?? attr[4] ?? '';
      const isButtonValue = attrName === 'value' && /^input$/i.test(name!) && /type\s*=\s*["']?(submit|button|reset)/i.test(attrs!);
      if (ATTRIBUTES.includes(attrName) || isButtonValue) texts.push(decodeEntities(value));
    }
  }
  for (const text of body.split(/<[^>]*>/)) texts.push(decodeEntities(text));
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** The document's <title>, decoded. */
export function titleOf(html: string): string | undefined {
  const m = /<title>([\s\S]*?)<\/title>/i.exec(html);
  return m ? decodeEntities(m[1]!).replace(/\s+/g, ' ').trim() : undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A matcher for a catalogue message: its literal parts in order, each `{placeholder}` standing for any text. */
export function messagePattern(message: string): RegExp {
  const parts = message.split(/\{\w+\}/).map(escapeRegExp);
  return new RegExp(`(?<![\\p{L}\\p{N}])${parts.join('[\\s\\S]*?')}(?![\\p{L}\\p{N}])`, 'u');
}

/** English messages whose German differs (a message that reads the same in both, such as "Name", cannot tell). */
const telling = (Object.keys(en) as MessageKey[])
  .filter((key) => de[key] !== undefined && de[key] !== en[key] && en[key].replace(/\{\w+\}/g, '').trim().length > 0)
  .map((key) => ({ key, message: en[key] as string, matcher: messagePattern(en[key]) }));

export interface EnglishFound { key: string; message: string; text: string }

/** Whether one text node or attribute of the page shows the message (placeholders match anything). */
export function showsMessage(html: string, message: string, opts: { skip?: readonly string[] } = {}): boolean {
  const pattern = messagePattern(message);
  return visibleTexts(html, opts).some((text) => pattern.test(text));
}

/** The English catalogue messages the page shows (each text node or attribute that equals or contains one). */
export function englishMessagesIn(html: string, opts: { skip?: readonly string[] } = {}): EnglishFound[] {
  const found: EnglishFound[] = [];
  for (const text of visibleTexts(html, opts)) {
    for (const { key, message, matcher } of telling) if (matcher.test(text)) found.push({ key, message, text });
  }
  return found;
}

/** Words that are English and never German: text from outside the catalogue (a library's message, a hard-coded label). */
const ENGLISH_WORDS = [
  'the', 'your', 'you', 'please', 'this', 'that', 'with', 'and', 'are', 'been', 'have', 'has', 'not', 'cannot',
  'could', 'would', 'again', 'here', 'sign', 'signed', 'enter', 'page', 'try', 'reload', 'back', 'error', 'continue',
  'cancel', 'allow', 'send', 'new', 'number', 'password', 'account', 'skip', 'save', 'submit', 'close',
];
const WORDS = new RegExp(`(?<![\\p{L}\\p{N}])(${ENGLISH_WORDS.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu');

/**
 * English words in the page's visible text. `skip` names elements whose content is data, not
 * language (the demo's claims in <pre>, a protocol code in <code>); `allow` lists texts to ignore
 * (names from the test's own data).
 */
export function englishWordsIn(html: string, opts: { skip?: readonly string[]; allow?: readonly string[] } = {}): { word: string; text: string }[] {
  const found: { word: string; text: string }[] = [];
  for (const raw of visibleTexts(html, opts)) {
    let text = raw;
    for (const a of opts.allow ?? []) text = text.replaceAll(a, ' ');
    for (const m of text.matchAll(WORDS)) found.push({ word: m[1]!, text: raw });
  }
  return found;
}

/** Both checks in one report line per finding (empty when the page shows no English). */
export function englishReport(html: string, opts: { skip?: readonly string[]; allow?: readonly string[] } = {}): string[] {
  return [
    ...englishMessagesIn(html, opts).map((f) => `catalogue ${f.key} (“${f.message}”) in “${f.text}”`),
    ...englishWordsIn(html, opts).map((f) => `English word “${f.word}” in “${f.text}”`),
  ];
}
