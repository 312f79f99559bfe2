// First run with no configuration: the home page's "Try signing in" runs a real OIDC login for
// the built-in demo client, with the SMS printed on the console.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { demoSignIn } from '../helpers/demo.ts';
import { startProcess, type Child } from '../helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowgate-demo-'));
let child: Child | undefined;
after(async () => { await child?.stop(); rmSync(dir, { recursive: true, force: true }); });

test('with no configuration, "Try signing in" completes a login and shows the claims', async () => {
  child = await startProcess({ DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`, FLOWGATE_CONFIG: '' });
  const claims = await demoSignIn(child);
  assert.equal(claims.status, 200, claims.html.slice(0, 500));
  assert.match(claims.html, /&quot;phone_number&quot;: &quot;\+12025550100&quot;/);
  assert.match(claims.html, /&quot;amr&quot;/);
});
