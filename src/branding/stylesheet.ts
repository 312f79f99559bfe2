// The brand stylesheet: the configured colours as the custom properties public/app.css draws
// with (the CSP forbids inline styles, so the colours travel as a file built once at start-up).
import type { Branding } from './config.ts';
import { mix } from './contrast.ts';

/** CSS for the configured colours, or undefined when none are set (app.css's defaults stand). */
export function brandStylesheet(branding: Branding): string | undefined {
  const vars: [string, string][] = [];
  if (branding.primaryColor) {
    const p = branding.primaryColor;
    vars.push(
      ['--color-primary', p],
      ['--color-primary-hover', mix(p, '#000000', 0.18)],
      ['--color-primary-tint', mix(p, '#ffffff', 0.92)],
      ['--color-focus', p],
    );
  }
  if (branding.backgroundColor) vars.push(['--color-bg', branding.backgroundColor]);
  if (!vars.length) return undefined;
  return `/* flowgate brand colours (config: branding) */\n:root{${vars.map(([k, v]) => `${k}:${v}`).join(';')}}\n`;
}
