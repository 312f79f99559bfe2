// Characters no typed identifier or name may contain: C0/C1 controls, bidi marks and overrides,
// zero-width characters and the BOM (they hide or reorder what a person sees).
export const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;
