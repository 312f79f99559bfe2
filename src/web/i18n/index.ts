// Message catalogs and locale choice: ui_locales, then Accept-Language, then the default.
import { en, type MessageKey } from './en.ts';

const catalogs: Record<string, Partial<Record<MessageKey, string>>> = { en };
export const locales = Object.keys(catalogs);

export function pickLocale(uiLocales: string | undefined, acceptLanguage: string | undefined, fallback: string): string {
  const wanted = [
    ...(uiLocales ?? '').split(' '),
    ...(acceptLanguage ?? '').split(',').map((p) => p.split(';')[0]!.trim()),
  ].filter(Boolean).slice(0, 20);
  for (const tag of wanted) {
    const base = tag.toLowerCase().split('-')[0]!;
    if (catalogs[base]) return base;
  }
  return catalogs[fallback] ? fallback : 'en';
}

export function translate(locale: string, key: string, vars: Record<string, unknown> = {}): string {
  const text = catalogs[locale]?.[key as MessageKey] ?? en[key as MessageKey] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}
