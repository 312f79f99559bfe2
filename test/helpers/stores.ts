// The store kinds the contract suite runs against: SQLite on a temp file, PostgreSQL on a fresh
// database of a throwaway server (started once per test file, on first use). `contract(name, fn)`
// registers one test per kind, named `[sqlite] …` / `[postgres] …`. A missing PostgreSQL fails its
// tests (locally and under CI): the suite never skips a store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { startPostgres, type PgServer } from './postgres.ts';

export type KindName = Store['kind'];

/** One place a store lives (a file, a database); every `open()` is another instance with its own connection(s). */
export interface StorePlace {
  /** The DATABASE_URL of the place (what a second process would be given). */
  url: string;
  open(): Promise<Store>;
  /** Closes one instance opened here (it is not closed again at cleanup). */
  close(store: Store): Promise<void>;
  /** Closes every instance still open and removes the place. */
  cleanup(): Promise<void>;
}

export interface StoreKind {
  name: KindName;
  open(): Promise<StorePlace>;
  /** PostgreSQL only: the server itself, for outage tests. */
  server?: () => Promise<PgServer>;
}

function place(url: string, remove: () => Promise<void>): StorePlace {
  const open = new Set<Store>();
  return {
    url,
    async open() {
      const store = await openStore(url);
      open.add(store);
      return store;
    },
    async close(store) {
      open.delete(store);
      await store.close();
    },
    async cleanup() {
      const stores = [...open];
      open.clear();
      await Promise.all(stores.map((s) => s.close()));
      await remove();
    },
  };
}

let pg: Promise<PgServer> | undefined;
/** The file's PostgreSQL server, started on first use and destroyed when the file's tests end. */
const pgServer = (): Promise<PgServer> => (pg ??= startPostgres());
// Registered at import (the file's root), not inside the first test that starts the server.
after(async () => { await (await pg?.catch(() => undefined))?.destroy(); });

export const storeKinds: readonly StoreKind[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'flowgate-contract-'));
      return place(`sqlite:${join(dir, 'store.db')}`, async () => rmSync(dir, { recursive: true, force: true }));
    },
  },
  {
    name: 'postgres',
    async open() {
      const url = await (await pgServer()).createDatabase();
      return place(url, async () => {});
    },
    server: pgServer,
  },
];

export interface ContractContext {
  kind: StoreKind;
  place: StorePlace;
  /** A first instance on the place. */
  store: Store;
}

/** Registers the test once per store kind (or only for `kinds`), each on a fresh place. */
export function contract(name: string, fn: (ctx: ContractContext) => Promise<void>, opts: { kinds?: KindName[]; timeout?: number } = {}): void {
  for (const kind of storeKinds) {
    if (opts.kinds && !opts.kinds.includes(kind.name)) continue;
    test(`[${kind.name}] ${name}`, { timeout: opts.timeout ?? 120_000 }, async () => {
      const where = await kind.open();
      try {
        const store = await where.open();
        if (store.kind !== kind.name) throw new Error(`${where.url} opened a ${store.kind} store, not ${kind.name}`);
        await fn({ kind, place: where, store });
      } finally {
        await where.cleanup();
      }
    });
  }
}
