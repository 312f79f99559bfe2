// How long an SMS is on the wire: GSM 03.38 (7-bit default alphabet) when every character is in its
// basic set or extension table, else UCS-2. One message holds 160 septets or 70 UTF-16 units; a
// concatenated message loses room to its header: 153 septets or 67 units per segment. An extension
// character (escape + character) and a surrogate pair (an emoji) are never split across two segments.

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsMeasure {
  /** Length in the encoding's units: septets for GSM-7 (an extension character is 2), UTF-16 code units for UCS-2 (an emoji is 2). */
  characters: number;
  encoding: SmsEncoding;
  /** Messages the provider bills: 0 for an empty text. */
  segments: number;
  /** Units per segment: 160 / 70 for a single message, 153 / 67 when concatenated. */
  perSegment: number;
}

/** GSM 03.38 basic character set (the escape 0x1B excluded). */
const BASIC = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?',
  ...'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
]);
/** GSM 03.38 extension table: each costs the escape septet plus its own. */
const EXTENSION = new Set([...'\f^{}\\[~]|€']);

const LIMITS = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
} as const;

/** Whether every character of `text` can be sent in the GSM 7-bit alphabet. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

/** Counts how many segments of `room` units the characters (each `sizes[i]` units, never split) fill. */
function pack(sizes: number[], room: number): number {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > room) { segments += 1; used = 0; }
    used += size;
  }
  return segments;
}

export function measureSms(text: string): SmsMeasure {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  // Per character (code point): septets, or UTF-16 units (2 for a character outside the BMP).
  const sizes = [...text].map((ch) => (encoding === 'GSM-7' ? (EXTENSION.has(ch) ? 2 : 1) : ch.length));
  const characters = sizes.reduce((a, b) => a + b, 0);
  const limit = LIMITS[encoding];
  if (characters === 0) return { characters, encoding, segments: 0, perSegment: limit.single };
  if (characters <= limit.single) return { characters, encoding, segments: 1, perSegment: limit.single };
  return { characters, encoding, segments: pack(sizes, limit.concatenated), perSegment: limit.concatenated };
}
