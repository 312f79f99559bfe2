// The names of the ways to sign in a page offers, in the page's language: the catalogue's
// `authenticator.<id>` (built-ins), else the plugin's own `displayNames[locale]`, else its English displayName.
import type { Choice } from '../flows/runner.ts';
import { hasMessage, translate } from './i18n/index.ts';

export function localizeChoices(locale: string, list: Choice[]): { id: string; label: string }[] {
  return list.map((c) => {
    const key = `authenticator.${c.authenticator ?? ''}`;
    if (c.authenticator && hasMessage(locale, key)) return { id: c.id, label: translate(locale, key) };
    const own = c.labels && Object.hasOwn(c.labels, locale) ? c.labels[locale] : undefined;
    return { id: c.id, label: own ?? c.label };
  });
}
