// What changed between two versions of a document, for the audit log: [{ path, from, to }], with
// secret values masked (microdiff finds the changes; we only shape and mask them).
import diff from 'microdiff';
import { connectorCatalogue } from '../sms/connectors/catalogue.ts';

export interface Change { path: string; op: 'add' | 'remove' | 'change'; from?: unknown; to?: unknown }

/** Keys whose values never reach the audit log. */
const SECRET = /secret|token|password|apikey|api_key|privatekey|signingkey/i;

/** The connectors' own secret keys (accessKey, …), beside the names that say so. */
const CONNECTOR_SECRETS = new Set(connectorCatalogue().flatMap((c) => c.secretKeys));

const isSecret = (key: string) => SECRET.test(key) || CONNECTOR_SECRETS.has(key);

/** The value with every secret under it masked (an added connector arrives as one object). */
function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecret(k) && v !== undefined ? '(secret)' : scrub(v)]));
}

const mask = (key: string, value: unknown) => (isSecret(key) && value !== undefined ? '(secret)' : scrub(value));

export function diffDocuments(before: unknown, after: unknown): Change[] {
  if (before === null || typeof before !== 'object' || after === null || typeof after !== 'object') {
    return [{ path: '', op: before == null ? 'add' : 'change', ...(before == null ? {} : { from: before }), to: after }];
  }
  return diff(before as Record<string, unknown>, after as Record<string, unknown>).map((d) => {
    const key = String(d.path[d.path.length - 1] ?? '');
    const path = d.path.map((p) => `/${String(p)}`).join('');
    if (d.type === 'CREATE') return { path, op: 'add', to: mask(key, d.value) };
    if (d.type === 'REMOVE') return { path, op: 'remove', from: mask(key, d.oldValue) };
    return { path, op: 'change', from: mask(key, d.oldValue), to: mask(key, d.value) };
  });
}
