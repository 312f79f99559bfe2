// Launching Chromium for the browser tests (playwright-core): env CHROMIUM_PATH, else
// /usr/bin/chromium. When it is missing a test is skipped with a loud message, except under
// CI=true where it fails. (The same rules as test/e2e/chromium.test.ts.)
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

export const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run',
];

export function findChromium(): { path: string; found: boolean } {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
    return { path, found: true };
  } catch {
    return { path, found: false };
  }
}

/** Chromium launched, or undefined after skipping the test (failing it under CI=true) when it is missing. */
export async function launchOrSkip(t: TestContext): Promise<Browser | undefined> {
  const bin = findChromium();
  if (!bin.found) {
    const message = `CHROMIUM NOT FOUND at ${bin.path} — the browser end-to-end test cannot run; install with apt-get install -y chromium or set CHROMIUM_PATH`;
    process.stderr.write(`\n${'!'.repeat(100)}\n!!! ${message}\n${'!'.repeat(100)}\n\n`);
    if (process.env.CI === 'true') assert.fail(message);
    t.skip(message);
    return undefined;
  }
  return chromium.launch({ executablePath: bin.path, headless: true, args: LAUNCH_ARGS });
}
