// Message catalogs and locale choice: ui_locales, then Accept-Language, then the default.
import { de } from './de.ts';
import { en, type MessageKey } from './en.ts';

const catalogs: Record<string, Partial<Record<MessageKey, string>>> = { en, de };
export const locales = Object.keys(catalogs);

export function pickLocale(uiLocales: string | undefined, acceptLanguage: string | undefined, fallback: string): string {
  const wanted = [
    ...(uiLocales ?? '').split(' '),
    ...(acceptLanguage ?? '').split(',').map((p) => p.split(';')[0]!.trim()),
  ].filter(Boolean).slice(0, 20);
  for (const tag of wanted) {
    const base = tag.toLowerCase().split('-')[0]!;
    if (Object.hasOwn(catalogs, base)) return base;
  }
  return Object.hasOwn(catalogs, fallback) ? fallback : 'en';
}

/** The number a message's plural form follows: its `count`, `n` or `attempts`. */
function countOf(vars: Record<string, unknown>): number | undefined {
  const n = Number(vars.count ?? vars.n ?? vars.attempts);
  return Number.isFinite(n) ? n : undefined;
}

/** One Intl.PluralRules per catalog locale, made on first use (making one costs more than a page's other messages). */
const pluralRules = new Map<string, Intl.PluralRules>();
function pluralOf(locale: string, n: number): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, rules = new Intl.PluralRules(locale));
  return rules.select(n);
}

export function translate(locale: string, key: string, vars: Record<string, unknown> = {}): string {
  const own = <T extends object>(o: T | undefined, k: string) => (o && Object.hasOwn(o, k) ? (o as Record<string, string>)[k] : undefined);
  const catalog = Object.hasOwn(catalogs, locale) ? catalogs[locale] : undefined;
  // Plural forms (Intl.PluralRules): `key.one`, `key.few`, … beside `key` (the `other` form).
  const count = countOf(vars);
  const form = count === undefined ? undefined : `${key}.${pluralOf(Object.hasOwn(catalogs, locale) ? locale : 'en', count)}`;
  const text = (form && (own(catalog, form) ?? (catalog && own(catalog, key) ? undefined : own(en, form))))
    ?? own(catalog, key) ?? own(en, key) ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** Whether a catalog (or English) has the key; lets callers fall back to their own text. */
export function hasMessage(locale: string, key: string): boolean {
  return (Object.hasOwn(catalogs, locale) && Object.hasOwn(catalogs[locale]!, key)) || Object.hasOwn(en, key);
}
