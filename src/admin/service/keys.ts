// The key ring's operations for the CLI (`flowgate keys rotate|list`) and the admin API
// (/admin/api/keys): list what is in the ring (never private material) and rotate, audited.
import type { Config } from '../../config/schema.ts';
import { AppError } from '../../errors.ts';
import { statesOf, type KeyKind, type KeyState } from '../../oidc/key-ring.ts';
import { keepFor, readKeyRing, rotateKeys } from '../../oidc/keys.ts';
import type { Store } from '../../store/types.ts';

/** One key as it is shown: never its private half or its secret. */
export interface KeyRow {
  kind: KeyKind;
  /** The signing key's kid, or the cookie key's id. */
  id: string;
  alg: string | null;
  state: KeyState;
  createdAt: number;
  activatedAt: number;
  retireAt: number | null;
}

export interface RotateOptions {
  /** Which kinds; both when neither is named. */
  signing?: boolean;
  cookie?: boolean;
  /** The new signing key signs at once instead of after keys.activateAfterSeconds. */
  now?: boolean;
}

export interface RotateResult {
  added: Array<{ kind: KeyKind; id: string; alg: string | null; activatedAt: number; replaced: { id: string; retireAt: number | null } | null }>;
  /** Named when the cookie keys come from the config file (`cookieKeys`) and were left alone. */
  skipped: KeyKind[];
}

export function keyService(store: Store, config: Pick<Config, 'keys' | 'cookieKeys'>, now: () => number = Date.now) {
  return {
    /** What the ring holds; none before the first start (reading makes no keys). */
    async list(): Promise<KeyRow[]> {
      const ring = await readKeyRing(store);
      if (!ring) return [];
      const at = now();
      const signing = statesOf(ring.signing, at);
      const cookie = statesOf(ring.cookie, at);
      const times = (k: { createdAt: number; activatedAt: number; retireAt: number | null }) => ({ createdAt: k.createdAt, activatedAt: k.activatedAt, retireAt: k.retireAt });
      return [
        ...ring.signing.map((k, i): KeyRow => ({ kind: 'signing', id: k.kid, alg: k.alg, state: signing[i]!, ...times(k) })),
        ...ring.cookie.map((k, i): KeyRow => ({ kind: 'cookie', id: k.id, alg: null, state: cookie[i]!, ...times(k) })),
      ];
    },

    async rotate(opts: RotateOptions, actor: string): Promise<RotateResult> {
      const asked: KeyKind[] = opts.signing || opts.cookie
        ? [...(opts.signing ? ['signing' as const] : []), ...(opts.cookie ? ['cookie' as const] : [])]
        : ['signing', 'cookie'];
      // The config file's cookieKeys are used instead of the ring's: rotating the ring's would change nothing.
      const skipped: KeyKind[] = config.cookieKeys && asked.includes('cookie') ? ['cookie'] : [];
      if (skipped.length && opts.cookie) {
        throw new AppError(409, 'cookie_keys_in_config', {
          detail: 'cookieKeys is set in the config file, so the cookie keys are rotated there: put a new key first and keep the old one after it',
        });
      }
      const kinds = asked.filter((k) => !skipped.includes(k));
      const done = await rotateKeys(store, {
        kinds, algorithm: config.keys.algorithm, keepFor: keepFor(config.keys.retireMarginSeconds),
        activateAfter: opts.now ? 0 : config.keys.activateAfterSeconds * 1000,
      }, now);
      const added = done.added.map(({ kind, id, activatedAt }) => {
        const replaced = done.ring[kind][1];
        return {
          kind, id, alg: kind === 'signing' ? config.keys.algorithm : null, activatedAt,
          replaced: replaced ? { id: 'kid' in replaced ? replaced.kid : replaced.id, retireAt: replaced.retireAt } : null,
        };
      });
      await store.config.appendAudit({ actor, action: 'keys.rotate', target: 'keys', diff: added.map(({ kind, id, alg, activatedAt }) => ({ kind, id, alg, activatedAt })) }, now());
      return { added, skipped };
    },
  };
}

export type KeyService = ReturnType<typeof keyService>;
