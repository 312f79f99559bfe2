// What the admin API knows about connector types and chains: each type's JSON Schema and secret keys
// (the `secretKeys` each config.ts declares, the same list the log scrubber uses), a chain masked for
// reading (secrets are write-only: never returned, only named in `secretsSet`), a submission merged with
// the stored secrets it left out, and a submitted chain validated into FieldProblems with JSON pointers.
import { z } from 'zod';
import { connectorSchema, type ConnectorConfig } from '../../config/schema.ts';
import { pointer, type FieldProblem } from '../../errors.ts';
import { connectorTypes, type ConnectorTypeId } from './registry.ts';
import { secretValues } from './scrub.ts';

export interface ConnectorCatalogueEntry {
  type: ConnectorTypeId;
  displayName: string;
  /** JSON Schema (draft 2020-12) of the config as written (defaults optional); secret properties are `writeOnly`. */
  configSchema: Record<string, unknown>;
  secretKeys: string[];
}

const displayNames: Record<ConnectorTypeId, string> = {
  console: 'Console (development)',
  outbox: 'Outbox file (development)',
  twilio: 'Twilio',
  messagebird: 'MessageBird',
  textlocal: 'Textlocal',
  vonage: 'Vonage',
  aliyun: 'Alibaba Cloud SMS',
  tencent: 'Tencent Cloud SMS',
  webhook: 'HTTP webhook',
};

const typeIds = Object.keys(connectorTypes) as ConnectorTypeId[];

/** The secret keys a connector type declares (its config.ts `secretKeys`). */
export function secretKeysOf(type: string): readonly string[] {
  return Object.hasOwn(connectorTypes, type) ? connectorTypes[type as ConnectorTypeId].secretKeys : [];
}

function jsonSchemaOf(type: ConnectorTypeId): Record<string, unknown> {
  const schema = z.toJSONSchema(connectorTypes[type].configSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const key of secretKeysOf(type)) if (properties[key]) properties[key] = { ...properties[key], writeOnly: true };
  return schema;
}

/** Strings a secret key may hold that are choices, not secrets (webhook `auth: none`): the `const`/`enum` strings of its schema. */
function literalsOf(type: ConnectorTypeId): Map<string, Set<string>> {
  const schema = z.toJSONSchema(connectorTypes[type].configSchema, { target: 'draft-2020-12', io: 'input' }) as { properties?: Record<string, unknown> };
  const out = new Map<string, Set<string>>();
  for (const key of secretKeysOf(type)) {
    const found = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) { for (const n of node) walk(n); return; }
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (typeof n.const === 'string') found.add(n.const);
      if (Array.isArray(n.enum)) for (const e of n.enum) if (typeof e === 'string') found.add(e);
      for (const k of ['anyOf', 'oneOf', 'allOf']) walk(n[k]);
    };
    walk(schema.properties?.[key]);
    out.set(key, found);
  }
  return out;
}

const catalogue: ConnectorCatalogueEntry[] = typeIds.map((type) => ({
  type, displayName: displayNames[type], configSchema: jsonSchemaOf(type), secretKeys: [...secretKeysOf(type)],
}));
const literals = new Map(typeIds.map((type) => [type, literalsOf(type)]));

/** Every connector type, in registry order (a fresh copy: callers may change it). */
export function connectorCatalogue(): ConnectorCatalogueEntry[] {
  return structuredClone(catalogue);
}

/** What a secret key of `config` holds that is secret: its strings, less the schema's choices (`none`). */
function secretsUnder(config: Record<string, unknown>, key: string): string[] {
  const choices = literals.get(config.type as ConnectorTypeId)?.get(key) ?? new Set<string>();
  return secretValues(config, [key]).filter((v) => !(choices.has(v) && config[key] === v));
}

/** A connector as the admin API shows it: the config less its secret values, and which secrets are set. */
export type MaskedConnector = Record<string, unknown> & { type: string; secretsSet: string[] };

const REDACTED = '[secret]';
/** Shorter secrets are not searched for inside other fields (they would match ordinary text). */
const MIN_EMBEDDED_SECRET = 4;

function maskOne(config: ConnectorConfig): MaskedConnector {
  const c = config as unknown as Record<string, unknown>;
  const keys = secretKeysOf(config.type);
  const secrets = keys.flatMap((k) => secretsUnder(c, k));
  const embedded = [...new Set(secrets.filter((s) => s.length >= MIN_EMBEDDED_SECRET))].sort((a, b) => b.length - a.length);
  // A secret copied into an ordinary field (a URL's query, a body template) is cut out there too.
  const hide = (s: string) => embedded.reduce((out, secret) => out.split(secret).join(REDACTED), s);
  const copy = (value: unknown): unknown => {
    if (typeof value === 'string') return hide(value);
    if (Array.isArray(value)) return value.map(copy);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [hide(k), copy(v)]));
    }
    return value;
  };
  const out: Record<string, unknown> = { type: config.type };
  const secretsSet: string[] = [];
  for (const [key, value] of Object.entries(c)) {
    if (key === 'type' || value === undefined) continue;
    if (keys.includes(key)) {
      if (secretsUnder(c, key).length) secretsSet.push(key);
      else out[key] = copy(value); // holds no secret: `auth: none`, `headers: {}`
    } else {
      out[key] = copy(value);
    }
  }
  return { ...out, type: config.type, secretsSet };
}

/** The chain as any GET returns it: never a secret value; `secretsSet` names the secret keys that hold one. */
export function maskChain(chain: readonly ConnectorConfig[]): MaskedConnector[] {
  return chain.map(maskOne);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A submitted chain with the stored secrets it left out put back (secrets are write-only, so an edit
 * sends them only to change them). For each submitted connector whose `type` equals the stored one at
 * the same index whose other settings are all unchanged: a secret key absent (or undefined) keeps the
 * stored value (after any other change it must be sent again), `null` removes it; an
 * ordinary field sent back exactly as maskChain showed it (a secret cut out of it) keeps the stored
 * value. `secretsSet` (echoed from a GET) is dropped. Anything that is not an array is returned as it is.
 */
export function mergeSecrets<T>(stored: readonly ConnectorConfig[], submitted: T): T {
  if (!Array.isArray(submitted)) return submitted;
  return submitted.map((entry: unknown, i) => {
    if (!isRecord(entry)) return entry;
    const { secretsSet: _echoed, ...sent } = entry;
    const old = stored[i];
    if (!old || sent.type !== old.type) {
      for (const key of secretKeysOf(String(sent.type))) if (sent[key] === null) delete sent[key];
      return sent;
    }
    const previous = old as unknown as Record<string, unknown>;
    const masked = maskOne(old);
    const secrets = secretKeysOf(old.type);
    for (const [key, shown] of Object.entries(masked)) {
      if (key === 'secretsSet' || secrets.includes(key)) continue;
      if (!sameJson(shown, previous[key]) && sameJson(sent[key], shown)) sent[key] = structuredClone(previous[key]);
    }
    // Stored secrets stay only while every other setting stays: a changed URL, sender or account
    // could otherwise send them to a server of the editor's choosing. Then they must be sent again.
    const settings = new Set([...Object.keys(sent), ...Object.keys(previous)].filter((k) => !secrets.includes(k)));
    const unchanged = [...settings].every((k) => sameJson(sent[k], previous[k]));
    for (const key of secrets) {
      if (sent[key] === null) delete sent[key];
      else if (sent[key] === undefined && previous[key] !== undefined && unchanged) sent[key] = structuredClone(previous[key]);
    }
    return sent;
  }) as T;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const chainBody = z.object({ connectors: z.array(connectorSchema).min(1, 'at least one connector is needed') }).strict();

export interface ValidateChainOptions {
  /** With NODE_ENV=production, `console` and `outbox` are refused (as at start) unless allowed. */
  production?: boolean;
  allowDevConnectorsInProduction?: boolean;
}

export type ChainResult = { ok: true; chain: ConnectorConfig[] } | { ok: false; problems: FieldProblem[] };

/** Reads zod's issues as FieldProblems: a pointer into the body (`/connectors/0/authToken`) and a sentence. */
function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      const detail = issue.path.length === 2 ? 'is not a setting of this connector type' : 'is not allowed here';
      return issue.keys.map((key) => ({ pointer: pointer([...issue.path, key]), detail }));
    }
    if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
      return [{ pointer: pointer(issue.path), detail: 'is required' }];
    }
    return [{ pointer: pointer(issue.path), detail: issue.message }];
  });
}

/** Parses `{ connectors: [...] }` as the config file's `sms.connectors` (defaults applied), or says what is wrong. */
export function validateChain(body: unknown, opts: ValidateChainOptions = {}): ChainResult {
  const parsed = chainBody.safeParse(body);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const chain = parsed.data.connectors;
  if (opts.production && !opts.allowDevConnectorsInProduction) {
    const problems = chain.flatMap((c, i) => (c.type === 'console' || c.type === 'outbox'
      ? [{ pointer: pointer(['connectors', i, 'type']), detail: `'${c.type}' is for development; in production configure a real provider (or set sms.allowDevConnectorsInProduction)` }]
      : []));
    if (problems.length) return { ok: false, problems };
  }
  return { ok: true, chain };
}
