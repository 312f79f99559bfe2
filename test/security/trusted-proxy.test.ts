// Behind the README's nginx (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`) with
// `trustProxy: true`: the proxy appends the address it saw to whatever X-Forwarded-For the client
// sent, and flowgate counts the per-IP limits by that appended (last) address only, so a client
// that forges its own X-Forwarded-For entries still meets its cap (SECURITY.md rule 6 and 16a).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshPhoneSubmit } from '../helpers/attack.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const HELD = /We cannot send a code to this number right now/;
let server: TestServer;
before(async () => {
  server = await startServer({
    config: { trustProxy: true, limits: { sms: { cooldownSeconds: 0, perIp: { hour: 3, day: 100 }, perPrefix: { distinctNumbers: 10_000 } } } },
  });
});
after(async () => { await server.close(); });

/** What nginx sends on: the client's own header, then the address nginx saw. */
const viaNginx = (forged: string, client: string) => ({ 'x-forwarded-for': `${forged}, ${client}` });

test('forged X-Forwarded-For entries before the proxy\'s own change nothing: the per-IP cap holds the client', { timeout: 60_000 }, async () => {
  const numbers = ['+12025550131', '+13125550132', '+14155550133', '+16175550134'];
  for (const [i, phone] of numbers.entries()) {
    const { page } = await freshPhoneSubmit(server, phone, { headers: viaNginx(`198.51.100.${i + 1}, 10.0.0.${i + 1}`, '203.0.113.7') });
    if (i < 3) assert.equal(page.status, 200, `${phone}: ${page.html.slice(0, 200)}`);
    else {
      assert.equal(page.status, 429, 'the fourth code from one client is held, whatever it put in the header');
      assert.match(page.html, HELD);
    }
  }
  // Another client behind the same proxy has its own count.
  const other = await freshPhoneSubmit(server, '+12125550135', { headers: viaNginx('203.0.113.7', '203.0.113.8') });
  assert.equal(other.page.status, 200, 'the address the proxy appended is the one counted');
});
