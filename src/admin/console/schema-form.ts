// A config form drawn from an authenticator's JSON Schema (the catalogue), and the submitted form
// read back into a config object. integer/number → number input, enum → select, boolean →
// checkbox, string → text, an object of strings (templates by locale) → one textarea per locale.
import type { Usage } from '../../sms/types.ts';
import type { SmsService } from '../service/sms.ts';

type Schema = Record<string, unknown> & { type?: string; enum?: unknown[]; properties?: Record<string, Schema>; additionalProperties?: unknown };

export interface PreviewView { ok: boolean; text?: string; measure?: string; problem?: string; unknown?: string }

export function previewView(sms: SmsService, template: string, usage: Usage, codeLength?: number): PreviewView {
  const p = sms.preview(template, usage, codeLength);
  if (p.ok) return { ok: true, text: p.text, measure: `${p.characters} characters · ${p.segments} SMS segments (${p.encoding})` };
  return { ok: false, problem: p.problem, ...(p.unknownVariables.length ? { unknown: `Unknown variables: ${p.unknownVariables.join(', ')}` } : {}) };
}

export interface FieldView {
  key: string; name: string; label: string; help?: string; error?: string;
  kind: 'number' | 'select' | 'checkbox' | 'text' | 'map';
  value?: string; checked?: boolean; min?: number; max?: number; step?: string;
  options?: { value: string; selected: boolean }[];
  entries?: { locale: string; name: string; value: string; error?: string; preview?: PreviewView }[];
  preview?: boolean;
}

const isMapOfStrings = (s: Schema) => s.type === 'object' && !s.properties
  && typeof s.additionalProperties === 'object' && (s.additionalProperties as Schema).type === 'string';

export function configFields(schema: Schema, values: Record<string, unknown>, errorOf: (key: string) => string | undefined,
  preview?: (template: string) => PreviewView): FieldView[] {
  return Object.entries(schema.properties ?? {}).map(([key, s]): FieldView => {
    const base = { key, name: `c.${key}`, label: key, ...(typeof s.description === 'string' ? { help: s.description } : {}), ...(errorOf(key) ? { error: errorOf(key)! } : {}) };
    const v = values[key];
    if (Array.isArray(s.enum)) {
      return { ...base, kind: 'select', options: s.enum.map((e) => ({ value: String(e), selected: String(e) === String(v ?? s.default ?? '') })) };
    }
    if (s.type === 'integer' || s.type === 'number') {
      return { ...base, kind: 'number', value: v === undefined ? '' : String(v), step: s.type === 'integer' ? '1' : 'any',
        ...(typeof s.minimum === 'number' ? { min: s.minimum } : {}), ...(typeof s.maximum === 'number' ? { max: s.maximum } : {}) };
    }
    if (s.type === 'boolean') return { ...base, kind: 'checkbox', checked: v === true };
    if (isMapOfStrings(s)) {
      const map = (v && typeof v === 'object' ? v : {}) as Record<string, string>;
      return {
        ...base, kind: 'map', preview: Boolean(preview),
        entries: Object.entries(map).map(([locale, text]) => ({
          locale, name: `c.${key}.${locale}`, value: String(text),
          ...(errorOf(`${key}/${locale}`) ? { error: errorOf(`${key}/${locale}`)! } : {}),
          ...(preview ? { preview: preview(String(text)) } : {}),
        })),
      };
    }
    return { ...base, kind: 'text', value: v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v) };
  });
}

/** The submitted form as a config object; values the schema rejects are left for the validation to name. */
export function readConfig(schema: Schema, form: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const raw = form[`c.${key}`];
    if (s.type === 'boolean' && !Array.isArray(s.enum)) { out[key] = raw === 'on' || raw === 'true'; continue; }
    if (isMapOfStrings(s)) {
      const map: Record<string, string> = {};
      const prefix = `c.${key}.`;
      for (const [name, value] of Object.entries(form)) {
        if (name.startsWith(prefix) && value.trim() !== '') map[name.slice(prefix.length)] = value;
      }
      const locale = (form[`new.${key}.locale`] ?? '').trim();
      const text = form[`new.${key}.text`] ?? '';
      if (locale && text.trim()) map[locale] = text;
      out[key] = map;
      continue;
    }
    if (raw === undefined || raw.trim() === '') continue;
    if ((s.type === 'integer' || s.type === 'number') && !Array.isArray(s.enum)) {
      const n = Number(raw);
      out[key] = Number.isFinite(n) ? n : raw;
      continue;
    }
    out[key] = raw;
  }
  return out;
}
