// Secrets at rest under the key encryption key (FLOWGATE_KEY_ENCRYPTION_KEY): with it, every secret
// (the signing and cookie key ring, HMAC keys, the built-in clients' secrets) is stored sealed
// (src/store/seal.ts, its name as associated data), and secrets still stored in clear are sealed
// when the store is opened. A sealed secret and no key, or a key that does not open it, refuse the
// start with one sentence: nothing runs on keys it cannot read.
import { StoreOpenError } from './postgres/errors.ts';
import { isSealed, seal, unseal } from './seal.ts';
import type { SecretsStore, Store } from './types.ts';

const aad = (name: string) => `flowgate secret ${name}`;

const NO_KEY = 'the stored keys are encrypted: set FLOWGATE_KEY_ENCRYPTION_KEY to the key they were encrypted with';
const WRONG_KEY = 'FLOWGATE_KEY_ENCRYPTION_KEY does not open the stored keys (another key encrypted them, or they were altered)';

function opener(kek: Buffer | undefined) {
  return (name: string, stored: string): string => {
    if (!isSealed(stored)) return stored;
    if (!kek) throw new StoreOpenError(NO_KEY);
    try {
      return unseal(kek, stored, aad(name));
    } catch {
      throw new StoreOpenError(WRONG_KEY);
    }
  };
}

/** The store's secrets through the key encryption key (none: clear, and a sealed secret is refused). */
function sealedSecrets(inner: SecretsStore, kek: Buffer | undefined): SecretsStore {
  const open = opener(kek);
  const close = (name: string, clear: string) => (kek ? seal(kek, clear, aad(name)) : clear);
  return {
    async getOrCreate(name, make) { return open(name, await inner.getOrCreate(name, async () => close(name, await make()))); },
    async read(name) {
      const found = await inner.read(name);
      return found && { value: open(name, found.value), rev: found.rev };
    },
    rev: (name) => inner.rev(name),
    write: (name, value, expectRev) => inner.write(name, close(name, value), expectRev),
    names: () => inner.names(),
  };
}

/**
 * Checks that every stored secret opens (throws StoreOpenError otherwise), seals the clear ones
 * when `kek` is set, and returns the store with its secrets read and written through it.
 */
export async function protectSecrets(store: Store, kek: Buffer | undefined): Promise<Store> {
  const open = opener(kek);
  for (const name of await store.secrets.names()) {
    for (;;) {
      const found = await store.secrets.read(name);
      if (!found) break;
      open(name, found.value);
      if (!kek || isSealed(found.value)) break;
      // Rev-checked: another instance sealing it at the same time wins, and this one reads theirs.
      if (await store.secrets.write(name, seal(kek, found.value, aad(name)), found.rev) !== undefined) break;
    }
  }
  return { ...store, secrets: sealedSecrets(store.secrets, kek) };
}
