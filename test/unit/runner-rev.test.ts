// The flow state is versioned: a write made from a state read before another write is refused with a
// retryable 409 (`interaction_conflict`) instead of overwriting what the other write did (another
// tab, or an instance whose interaction lease ran out).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createPasswordHasher } from '../../src/authenticators/password/hasher.ts';
import { parseConfig } from '../../src/config/load.ts';
import { AppError } from '../../src/errors.ts';
import { loadFlows } from '../../src/flows/loader.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';
import { createRunner, type InteractionInfo } from '../../src/flows/runner.ts';
import { createGuard } from '../../src/guard/index.ts';
import { createLive } from '../../src/live/index.ts';
import { seedFromFiles } from '../../src/live/seed.ts';
import { createLogger } from '../../src/log.ts';
import { createSmsQueue } from '../../src/sms/delivery/worker.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { translate } from '../../src/web/i18n/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-rev-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a write from a stale read is refused with interaction_conflict; the newer state stays', { timeout: 30_000 }, async () => {
  const log = createLogger('silent');
  const store = openSqliteStore(join(dir, 'flowgate.db'));
  const config = parseConfig({}, 'test-config');
  const registry = builtinAuthenticators();
  await seedFromFiles(store, config, loadFlows(config.flowsDir, registry), log, Date.now());
  const live = createLive({ store, registry, log });
  await live.refresh(true);
  const sms = createSmsQueue(store, async () => ({ kind: 'sent', connector: 'none', providerMessageId: null }), log, ['US']);
  const runner = createRunner({
    store, live, registry,
    deps: {
      store, sms, guard: createGuard(store.guard, config.limits, log, Date.now), allowedCountries: ['US'], appName: 'flowgate',
      issuer: 'http://localhost', defaultRegion: 'US', otpKey: randomBytes(32), passwords: createPasswordHasher(), templates: {}, now: Date.now,
    },
  });
  try {
    const info: InteractionInfo = { uid: 'uid-rev', locale: 'en', clientName: 'App', expiresAt: Date.now() + 600_000, ip: '127.0.0.1' };
    await runner.save(info, await runner.state(info.uid, 'sign-in'));
    const tabA = await runner.state(info.uid, 'sign-in');
    const tabB = await runner.state(info.uid, 'sign-in');
    tabA.notice = 'from tab A';
    await runner.save(info, tabA);
    tabB.notice = 'from tab B';
    await assert.rejects(runner.save(info, tabB), (err: unknown) =>
      err instanceof AppError && err.status === 409 && err.code === 'interaction_conflict');
    assert.equal((await runner.state(info.uid, 'sign-in')).notice, 'from tab A', 'the first write is kept');
    tabA.notice = 'tab A again';
    await runner.save(info, tabA);
    assert.equal((await runner.state(info.uid, 'sign-in')).notice, 'tab A again', 'a state keeps the revision of its own last write');

    const fresh = await runner.state('uid-new', 'sign-in');
    const twin = await runner.state('uid-new', 'sign-in');
    await runner.save({ ...info, uid: 'uid-new' }, fresh);
    await assert.rejects(runner.save({ ...info, uid: 'uid-new' }, twin), { code: 'interaction_conflict' }, 'two first writes: one wins');
    assert.match(translate('en', 'error.interaction_conflict'), /changed in another tab/);
    assert.match(translate('de', 'error.interaction_conflict'), /anderen Tab/);
    assert.ok(!Object.hasOwn((await store.flowState.get<object>('uid-rev'))!.state, 'rev'), 'the revision is kept beside the state, not in it');
  } finally {
    await sms.stop();
    await store.close();
  }
});
