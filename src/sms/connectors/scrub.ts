// The one scrubber every connector's error detail goes through before the log: it removes every secret
// of the connector's config (taken from its declared secret keys), the message being sent and each
// code-like token in it, and the recipient, in the encodings a provider echoes them in (as sent,
// URL/form-encoded, JSON-escaped, XML/HTML-escaped, inside base64 such as Basic credentials), then masks
// whatever still looks like a phone number or a code (every run of 4+ digits).
import type { SmsMessage } from '../types.ts';

/** Phone-number shapes: 7+ characters of digits, spaces, parentheses and dashes, starting and ending with a digit. */
const PHONE_NUMBERS = /\+?\d[\d\s()-]{5,}\d/g;
/** Codes and whatever else is numeric: every run of 4+ digits. */
const DIGIT_RUNS = /\d{4,}/g;
/** Base64 (standard or URL-safe, `+` `/` possibly URL-encoded) long enough to hide a secret. */
const BASE64_RUNS = /(?:[A-Za-z0-9+/_-]|%2[BF]){12,}(?:=|%3D){0,2}/gi;
/** A provider's error code or request id, kept as it is when it carries nothing sensitive. */
const IDENTIFIER = /^[\w.:-]{1,100}$/;
/** Code-like tokens of the message: 4+ letters, digits, `-` or `_` with at least one digit. */
const CODE_LIKE = /[\p{L}\p{N}_-]*\p{N}[\p{L}\p{N}_-]*/gu;

const SECRET = '[redacted]';
const NUMBER = '[number]';

const json = (s: string) => JSON.stringify(s).slice(1, -1);
const asciiJson = (s: string) => json(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const strictUri = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const form = (s: string) => new URLSearchParams({ s }).toString().slice(2);
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const same = (s: string) => s;
/** What an echo may wrap a value in once or twice: URL-encoded (loose or strict RFC 3986), form-encoded, XML-escaped. */
const layers = [same, encodeURIComponent, strictUri, form, xml];
const outer = [same, encodeURIComponent, strictUri, form];

/** The forms a value takes in an echoed request: as sent or JSON-escaped (four ways, twice for JSON quoted in JSON), then up to two encodings. */
function encodings(value: string): string[] {
  const out = new Set<string>();
  for (const base of [value, json(value), asciiJson(value), json(value).replace(/\//g, '\\/'), json(json(value))]) {
    for (const inner of layers) for (const wrap of outer) out.add(wrap(inner(base)));
  }
  return [...out];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every string under the config's secret keys (nested objects and arrays too): what its `secretKeys` declare. */
export function secretValues(config: object, keys: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.trim()) out.push(value);
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) walk(v);
    }
  };
  for (const key of keys) walk((config as Record<string, unknown>)[key]);
  return out;
}

export interface Scrubber {
  /** Provider free text (a message, a description, an echo): sensitive values removed, numbers and codes masked, cut to `max` (200). */
  text(value: unknown, max?: number): string;
  /** A provider's error code or request id: kept as it is (digits too) unless it carries a sensitive value; else read as text. `-` when absent. */
  code(value: unknown, max?: number): string;
}

/** The scrubber for one send: `secrets` from secretValues, and the message (its body, its code-like tokens, its recipient). */
export function scrubberFor(secrets: readonly string[], msg: Pick<SmsMessage, 'to' | 'body'>): Scrubber {
  const codes = msg.body.match(CODE_LIKE)?.filter((t) => t.length >= 4) ?? [];
  const recipient = [msg.to, msg.to.replace(/\D/g, '')];
  const placeholder = new Map<string, string>();
  const sensitive: string[] = [];
  // A secret with spaces (a header such as `Token abc…`) may be echoed in parts: its longer words count too.
  const parts = secrets.flatMap((s) => (/\s/.test(s) ? s.split(/\s+/).filter((w) => w.length >= 8) : []));
  for (const [values, stand] of [[recipient, NUMBER], [[...secrets, ...parts, msg.body, ...codes], SECRET]] as const) {
    for (const value of values) {
      if (!value.trim()) continue;
      sensitive.push(value);
      for (const f of encodings(value)) placeholder.set(f.toLowerCase(), stand);
    }
  }
  // Longest first, so a value containing another goes whole.
  const forms = [...placeholder.keys()].sort((a, b) => b.length - a.length);
  const pattern = forms.length ? new RegExp(forms.map(escapeRegExp).join('|'), 'gi') : undefined;

  const hidesSensitive = (run: string): boolean => {
    const b64 = run.replace(/%2B/gi, '+').replace(/%2F/gi, '/').replace(/%3D/gi, '=');
    for (let offset = 0; offset < 4; offset += 1) {
      const decoded = Buffer.from(b64.slice(offset), 'base64').toString('utf8');
      if (sensitive.some((v) => decoded.includes(v))) return true;
    }
    return false;
  };
  const remove = (text: string): string => {
    let out = text.replace(BASE64_RUNS, (run) => (hidesSensitive(run) ? SECRET : run));
    if (pattern) out = out.replace(pattern, (m) => placeholder.get(m.toLowerCase()) ?? SECRET);
    return out.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  };

  const text = (value: unknown, max = 200): string =>
    remove(String(value ?? '')).replace(PHONE_NUMBERS, NUMBER).replace(DIGIT_RUNS, '[digits]').trim().slice(0, max);
  const code = (value: unknown, max = 100): string => {
    if (value === undefined || value === null || value === '') return '-';
    const raw = String(value);
    const kept = remove(raw);
    return kept === raw && IDENTIFIER.test(raw) ? raw.slice(0, max) : text(raw, max);
  };
  return { text, code };
}
