// Locales and countries in config, checked at start-up: the page language must have a catalogue,
// regions must be ones libphonenumber-js knows, template locale keys must be BCP 47 tags. A
// refusal names the value and the valid choices, or what was probably meant.
import { getCountries } from 'libphonenumber-js/max';
import { z } from 'zod';
import { locales as catalogueLocales } from '../web/i18n/index.ts';

const COUNTRIES: readonly string[] = getCountries();
/** Common non-ISO spellings of a region code. */
const REGION_ALIASES: Record<string, string> = { UK: 'GB', EL: 'GR' };

const displayName = (type: 'language' | 'region', code: string, locale = 'en'): string | undefined => {
  try {
    return new Intl.DisplayNames([locale], { type, fallback: 'none' }).of(code);
  } catch {
    return undefined;
  }
};

/** A language tag in canonical form, or undefined when it is not a well-formed BCP 47 tag. */
function canonical(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** Whether a well-formed tag names a language (not `english`, `xx`, `und`). */
function knownLanguage(tag: string): boolean {
  const language = new Intl.Locale(tag).language;
  return language !== 'und' && displayName('language', language) !== undefined;
}

/** The catalogue locale someone probably meant by `value` (`de-DE`, `DE`, `deu`, `German`, `Deutsch`). */
function likelyCatalogue(value: string): string | undefined {
  const tag = canonical(value.trim().replace(/_/g, '-'));
  const base = tag ? new Intl.Locale(tag).language : undefined;
  if (base && catalogueLocales.includes(base)) return base;
  const word = value.trim().toLowerCase();
  return catalogueLocales.find((l) => [displayName('language', l), displayName('language', l, l)].some((n) => n?.toLowerCase() === word));
}

/** `defaultLocale`: a locale flowgate ships page messages for. */
export const catalogueLocaleSchema = z.string().superRefine((value, ctx) => {
  if (catalogueLocales.includes(value)) return;
  const meant = likelyCatalogue(value);
  ctx.addIssue({
    code: 'custom',
    message: `'${value}' is not a locale flowgate has pages for; ${meant ? `did you mean '${meant}'? ` : ''}use one of: ${catalogueLocales.join(', ')}`,
  });
});

/** The region someone probably meant by `value` (`UK`, `Germany`, `Deutschland`). */
function likelyRegion(value: string): string | undefined {
  const upper = value.trim().toUpperCase();
  if (REGION_ALIASES[upper]) return REGION_ALIASES[upper];
  if (upper.length === 2 && COUNTRIES.includes(upper)) return upper;
  const word = value.trim().toLowerCase();
  return COUNTRIES.find((c) => ['en', ...catalogueLocales].some((l) => displayName('region', c, l)?.toLowerCase() === word));
}

/** A region code (ISO 3166-1 alpha-2, upper-cased) that libphonenumber-js has numbering data for. */
export const regionSchema = z.string().superRefine((value, ctx) => {
  if (COUNTRIES.includes(value.toUpperCase())) return;
  const meant = likelyRegion(value);
  ctx.addIssue({
    code: 'custom',
    message: `'${value}' is not a region libphonenumber-js knows (a two-letter ISO 3166 code); ` +
      (meant ? `did you mean '${meant}' (${displayName('region', meant) ?? meant})?` : `use one of: ${COUNTRIES.join(', ')}`),
  });
}).transform((v) => v.toUpperCase());

/**
 * Why a locale key of message templates is refused, or undefined when it is a BCP 47 tag of a
 * known language written canonically (`en`, `de-AT`, `zh-Hant`). For a record's superRefine: a
 * refusal there names the key's path (a refined record key would only say "Invalid key in record").
 */
export function localeKeyProblem(value: string): string | undefined {
  const tag = canonical(value);
  if (tag === value && knownLanguage(tag)) return undefined;
  const meant = canonical(value.trim().replace(/_/g, '-'));
  return `'${value}' is not a BCP 47 language tag such as en or de` +
    (meant && meant !== value && knownLanguage(meant) ? `; did you mean '${meant}'?` : '');
}
