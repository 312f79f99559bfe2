// The periodic purge runs on one instance at a time (the store's `purge` lease): of two instances on
// one store only the holder purges; when it stops, the other takes over on its next tick.
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.ts';
import { startPurge } from '../../src/purge.ts';
import { contract } from '../helpers/stores.ts';

contract('only the lease holder purges; another instance takes over when it stops', async ({ store: storeA, place }) => {
  const log = createLogger('silent');
  const storeB = await place.open();
  // Long intervals: the test drives the ticks itself.
  const a = startPurge(storeA, log, 600_000);
  const b = startPurge(storeB, log, 600_000);
  try {
    assert.equal(await a.tick(), true, 'A takes the lease and purges');
    assert.equal(await b.tick(), false, 'B skips while A holds it');
    assert.equal(await a.tick(), true, 'A keeps it');
    assert.equal(await b.tick(), false);
    await a.stop();
    assert.equal(await b.tick(), true, 'A stopped: B purges');
    assert.equal(await a.tick(), false, 'and keeps it');
  } finally {
    await b.stop();
  }
});
