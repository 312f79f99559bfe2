// The metrics module's edges: route labels are fixed patterns (never a uid, a number or free text),
// the `metrics` config and FLOWGATE_METRICS_TOKEN refuse bad values clearly, and only src/metrics
// imports prom-client (call sites record through the Recorder in their deps).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { routeOf } from '../../src/metrics/routes.ts';
import { runtimeFromEnv } from '../../src/runtime.ts';

const root = join(import.meta.dirname, '..', '..');

test('routeOf: known paths map to their pattern, everything else to other', { timeout: 10_000 }, () => {
  const cases: Array<[string, string]> = [
    ['/', '/'], ['/token', '/token'], ['/auth?client_id=x&login_hint=%2B12025550100', '/auth'], ['/auth/AbC-123', '/auth/:uid'],
    ['/interaction/AbC-123', '/interaction/:uid'], ['/interaction/AbC-123/steps/phone', '/interaction/:uid/steps/:stepId'],
    ['/interaction/AbC-123/sms-status', '/interaction/:uid/sms-status'], ['/interaction/x/flow/register', '/interaction/:uid/flow/:flowId'],
    ['/interaction/x/unknown', 'other'], ['/interaction/x/steps/a/b', 'other'], ['/interaction/', 'other'],
    ['/.well-known/openid-configuration', '/.well-known/openid-configuration'], ['/jwks', '/jwks'], ['/me', '/me'],
    ['/admin/api/users/+12025550100', '/admin/api'], ['/admin/users', '/admin'], ['/account/change-phone', '/account'],
    ['/assets/app.js', '/assets'], ['/health', '/health'], ['/metrics', '/metrics'],
    ['/+12025550100', 'other'], ['/127.0.0.1', 'other'], ['/administrator', 'other'], ['/Token', 'other'], ['', 'other'],
  ];
  for (const [url, route] of cases) assert.equal(routeOf(url), route, url);
});

test('metrics config: off by default; token of 16+ characters; listen is host:port', { timeout: 10_000 }, () => {
  assert.deepEqual(parseConfig({}, 't').metrics, {});
  assert.deepEqual(parseConfig({ metrics: { listen: '127.0.0.1:9464' } }, 't').metrics.listen, { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseConfig({ metrics: { listen: '[::1]:9464' } }, 't').metrics.listen, { host: '::1', port: 9464 });
  assert.equal(parseConfig({ metrics: { token: 'x'.repeat(16) } }, 't').metrics.token, 'x'.repeat(16));
  for (const bad of [{ token: 'short' }, { listen: '9464' }, { listen: '127.0.0.1:0' }, { listen: '127.0.0.1:70000' }, { listen: 'a b:1' }, { other: 1 }]) {
    assert.throws(() => parseConfig({ metrics: bad }, 't'), /metrics/, JSON.stringify(bad));
  }
});

test('FLOWGATE_METRICS_TOKEN: 16 to 500 characters, refused without printing it', { timeout: 10_000 }, () => {
  assert.equal(runtimeFromEnv({ FLOWGATE_METRICS_TOKEN: 'a-token-of-16-chars' }).metricsToken, 'a-token-of-16-chars');
  assert.equal(runtimeFromEnv({}).metricsToken, undefined);
  assert.throws(() => runtimeFromEnv({ FLOWGATE_METRICS_TOKEN: 'secret-short' }), (err: Error) => err.name === 'ConfigError' && !err.message.includes('secret-short'));
});

test('only src/metrics imports prom-client', { timeout: 10_000 }, () => {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
  const all = files(join(root, 'src'));
  assert.ok(all.length > 50);
  const offenders = all.filter((f) => !f.startsWith(join(root, 'src', 'metrics')) && /from\s+['"]prom-client['"]|import\(\s*['"]prom-client/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => relative(root, f)), []);
});
