// Checks a hosted page as it is shown now, at a desktop and a phone size: axe-core (WCAG 2.1 AA)
// and a full-page screenshot into SCREENSHOTS_DIR (default artifacts/screenshots), named
// <page>-<locale>-<size>.png, for a reviewer to look at (CI keeps the folder as an artifact).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { axeViolations, describeViolations } from './axe.ts';

export const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export const screenshotsDir = (): string => resolve(process.env.SCREENSHOTS_DIR ?? join('artifacts', 'screenshots'));

export interface PageChecks {
  /** Checks the page now shown at both sizes under a name; the viewport is back at desktop after. */
  check(page: Page, name: string, locale: string): Promise<void>;
  /** Every page checked, as `<page>-<locale>`. */
  readonly checked: string[];
  /** One entry per violation found, with page, locale and size. */
  readonly failures: string[];
  /** The assertion message: every violation, or an empty string. */
  report(): string;
}

export function createPageChecks(): PageChecks {
  const dir = screenshotsDir();
  mkdirSync(dir, { recursive: true });
  const checked: string[] = [];
  const failures: string[] = [];
  return {
    checked,
    failures,
    async check(page, name, locale) {
      if (checked.includes(`${name}-${locale}`)) throw new Error(`page name used twice: ${name}-${locale}`);
      checked.push(`${name}-${locale}`);
      for (const [size, viewport] of Object.entries(SIZES)) {
        await page.setViewportSize(viewport);
        const where = `${name} (${locale}, ${size} ${viewport.width}×${viewport.height}, ${new URL(page.url()).pathname})`;
        failures.push(...describeViolations(where, await axeViolations(page)));
        await page.screenshot({ path: join(dir, `${name}-${locale}-${size}.png`), fullPage: true });
      }
      await page.setViewportSize(SIZES.desktop);
    },
    report() {
      return failures.length ? `${failures.length} axe-core violation(s) at WCAG 2.1 AA:\n${failures.join('\n')}` : '';
    },
  };
}
