// The periodic purge runs on one instance at a time (the store's `purge` lease): of two instances on
// one SQLite file only the holder purges; when it stops, the other takes over on its next tick.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { startPurge } from '../../src/purge.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-purge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('only the lease holder purges; another instance takes over when it stops', { timeout: 30_000 }, async () => {
  const log = createLogger('silent');
  const storeA = openSqliteStore(join(dir, 'flowgate.db'));
  const storeB = openSqliteStore(join(dir, 'flowgate.db'));
  // Long intervals: the test drives the ticks itself.
  const a = startPurge(storeA, log, 600_000);
  const b = startPurge(storeB, log, 600_000);
  try {
    const expired = Date.now() - 1_000;
    await storeA.flowState.put('old-1', { x: 1 }, expired, null);
    assert.equal(await a.tick(), true, 'A takes the lease and purges');
    assert.equal(await b.tick(), false, 'B skips while A holds it');
    assert.equal(await a.tick(), true, 'A keeps it');
    assert.equal(await b.tick(), false);
    await a.stop();
    await storeA.flowState.put('old-2', { x: 2 }, expired, null);
    assert.equal(await b.tick(), true, 'A stopped: B purges');
  } finally {
    await b.stop();
    await storeA.close();
    await storeB.close();
  }
});
