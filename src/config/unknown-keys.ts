// Rewrites zod's "Unrecognized key" issues (strict objects) into one issue per misspelt key, at that
// key's path, naming the closest known key ("did you mean 'redirect_uris' (a list)?") or listing
// the known ones; and drops the issue a misspelling causes at the key it meant (`redirect_uri` also
// leaves `redirect_uris` empty: one line, not two). Used for config files and flow files alike.
import type { z } from 'zod';
import { closest } from './did-you-mean.ts';

export interface Problem { path: PropertyKey[]; message: string }

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** Through defaults, optionals, transforms and lazies, to the schema that checks the value. */
function unwrap(schema: unknown, value: unknown): unknown {
  for (let i = 0; i < 50; i += 1) {
    const def = defOf(schema);
    if (!def) return schema;
    if (['default', 'prefault', 'optional', 'nullable', 'nonoptional', 'readonly', 'catch'].includes(def.type)) schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else if (def.type === 'lazy') schema = (def.getter as () => unknown)();
    else if (def.type === 'union') schema = pickOption(def, value);
    else return schema;
  }
  return schema;
}

/** The union member meant for `value`: by the discriminator (a connector's `type`), else the first object. */
function pickOption(def: Def, value: unknown): unknown {
  const options = def.options as unknown[];
  const key = def.discriminator as string | undefined;
  const tag = key && value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  const match = options.find((o) => {
    const shape = defOf(unwrap(o, value))?.shape as Record<string, unknown> | undefined;
    const literal = key ? defOf(shape?.[key]) : undefined;
    return literal?.type === 'literal' && (literal.values as unknown[]).includes(tag);
  });
  return match ?? options.find((o) => defOf(unwrap(o, value))?.type === 'object') ?? options[0];
}

/** The schema of the value at `path` in `raw`, if the walk can follow it. */
function schemaAt(root: z.ZodType, path: PropertyKey[], raw: unknown): unknown {
  let schema = unwrap(root, raw);
  let value = raw;
  for (const key of path) {
    const def = defOf(schema);
    if (!def) return undefined;
    if (def.type === 'object') schema = (def.shape as Record<string, unknown>)[String(key)];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else return undefined;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as string] : undefined;
    schema = unwrap(schema, value);
  }
  return schema;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as string] : undefined;
  return value;
}

const samePath = (a: PropertyKey[], b: PropertyKey[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/** zod's wording where it speaks of types to a person editing YAML: "required", "true or false", did-you-mean for a `type`. */
function plainMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'invalid_type') {
    if (valueAt(raw, issue.path) === undefined) return `required${issue.expected === 'string' || issue.expected === 'number' ? ` (a ${issue.expected})` : ''}`;
    if (issue.expected === 'boolean') return 'expected true or false';
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && Array.isArray((issue as { options?: unknown }).options)) {
    const tag = valueAt(raw, issue.path);
    const guess = typeof tag === 'string' ? closest(tag, (issue as unknown as { options: unknown[] }).options.map(String)) : undefined;
    if (guess) return `unknown ${String((issue as { discriminator: unknown }).discriminator)} '${tag}'; did you mean '${guess}'?`;
  }
  return issue.message;
}

/** zod's issues for `raw` against `schema`, with unknown keys explained and their consequences dropped. */
export function explainIssues(schema: z.ZodType, raw: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const unknown: Problem[] = [];
  const meant: PropertyKey[][] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const object = defOf(schemaAt(schema, issue.path, raw));
    const shape = object?.type === 'object' ? object.shape as Record<string, unknown> : {};
    const known = Object.keys(shape);
    const here = valueAt(raw, issue.path);
    for (const key of issue.keys) {
      const guess = closest(key, known);
      if (guess) {
        // What the meant key's absence caused is this misspelling's doing; a meant key that is present speaks for itself.
        if (!(here && typeof here === 'object' && guess in here)) meant.push([...issue.path, guess]);
        const list = defOf(unwrap(shape[guess], undefined))?.type === 'array' ? ' (a list)' : '';
        unknown.push({ path: [...issue.path, key], message: `unknown key; did you mean '${guess}'${list}?` });
      } else {
        unknown.push({ path: [...issue.path, key], message: `unknown key${known.length ? ` (known keys: ${known.join(', ')})` : ''}` });
      }
    }
  }
  const rest = issues
    .filter((i) => i.code !== 'unrecognized_keys' && !meant.some((p) => samePath(p, i.path)))
    .map((i) => ({ path: i.path, message: plainMessage(i, raw) }));
  // Unknown keys first: a misspelling usually explains what follows it.
  return [...unknown, ...rest];
}
