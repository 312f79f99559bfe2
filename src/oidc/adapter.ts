// oidc-provider adapter backed by our store: one class, one row per artefact.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Store } from '../store/types.ts';

/**
 * The models a grant owns (oidc-provider's memory adapter keeps the same list). Revoking a grant
 * ends these and only these: the Interaction and Session rows that carry the same grantId live on.
 */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * `clients`: the `Client` model's lookup (clients added at run time, src/live/clients.ts), read
 * from the store on every find so a client added or removed on any host is seen at once.
 */
export function createAdapterClass(store: Store, clients?: (id: string) => Promise<AdapterPayload | undefined>) {
  return class StoreAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
      await store.oidc.upsert(this.model, id, payload as Record<string, unknown>, expiresAt);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client' && clients) return clients(id);
      return withConsumed(await store.oidc.find(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return withConsumed(await store.oidc.findByUid(this.model, uid));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return withConsumed(await store.oidc.findByUserCode(this.model, userCode));
    }

    async consume(id: string): Promise<void> {
      await store.oidc.consume(this.model, id, Math.floor(Date.now() / 1000));
    }

    async destroy(id: string): Promise<void> {
      await store.oidc.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      if (GRANTABLE.has(this.model)) await store.oidc.revokeByGrantId(this.model, grantId);
    }
  };
}

function withConsumed(record: { payload: Record<string, unknown>; consumed: boolean } | undefined) {
  if (!record) return undefined;
  return (record.consumed ? { ...record.payload, consumed: true } : record.payload) as AdapterPayload;
}
