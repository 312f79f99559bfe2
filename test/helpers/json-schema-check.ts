// A small checker for the JSON Schema keywords zod's z.toJSONSchema emits for our config (type,
// properties, required, additionalProperties, items, enum, const, oneOf/anyOf, lengths, bounds,
// pattern, propertyNames): no JSON Schema validator is installed, so the tests check documents
// against config.schema.json with this. It answers "where and what", like a validator's errors.
type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function typeMatches(type: string, v: unknown): boolean {
  if (type === 'integer') return Number.isInteger(v);
  return typeOf(v) === type;
}

/** The problems of `value` against `schema`, as `path: message` lines (none: it conforms). */
export function checkJsonSchema(schema: Schema, value: unknown, path = '(root)'): string[] {
  const problems: string[] = [];
  const at = (p: string) => `${path}: ${p}`;
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type);
    if (!types.some((t) => typeMatches(t, value))) return [at(`expected ${types.join(' or ')}, got ${typeOf(value)}`)];
  }
  if (schema.const !== undefined && value !== schema.const) problems.push(at(`must be ${JSON.stringify(schema.const)}`));
  if (schema.enum && !schema.enum.includes(value)) problems.push(at(`must be one of ${schema.enum.join(', ')}`));
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (!schema[key]) continue;
    const results = (schema[key] as Schema[]).map((s) => checkJsonSchema(s, value, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (key === 'oneOf' ? passing !== 1 : passing === 0) {
      // Report the closest alternative (fewest problems) so the message says what is wrong.
      problems.push(...(passing > 1 ? [at('matches more than one alternative')] : results.sort((a, b) => a.length - b.length)[0]!));
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(at(`shorter than ${schema.minLength}`));
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(at(`longer than ${schema.maxLength}`));
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problems.push(at(`does not match ${schema.pattern}`));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(at(`below ${schema.minimum}`));
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(at(`above ${schema.maximum}`));
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(at(`fewer than ${schema.minItems} items`));
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(at(`more than ${schema.maxItems} items`));
    if (schema.items) value.forEach((v, i) => problems.push(...checkJsonSchema(schema.items, v, `${path}.${i}`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) problems.push(at(`missing required key '${key}'`));
    for (const [key, v] of Object.entries(obj)) {
      const child = path === '(root)' ? key : `${path}.${key}`;
      if (schema.propertyNames) problems.push(...checkJsonSchema(schema.propertyNames, key, child));
      if (schema.properties?.[key]) problems.push(...checkJsonSchema(schema.properties[key], v, child));
      else if (schema.additionalProperties === false) problems.push(`${child}: unknown key`);
      else if (typeof schema.additionalProperties === 'object') problems.push(...checkJsonSchema(schema.additionalProperties, v, child));
    }
  }
  return problems;
}
