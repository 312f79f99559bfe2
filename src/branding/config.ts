// The `branding:` config key: logo, favicon and colours of the hosted pages; colours are checked
// against WCAG 2.1 AA here, at start-up, so a brand can never make a page unreadable.
import { z } from 'zod';
import { contrastRatio } from './contrast.ts';

/** The colour the pages draw text, links and fields on (the card); see public/app.css. */
export const SURFACE = '#ffffff';
/** Text on primary-coloured buttons. */
export const ON_PRIMARY = '#ffffff';
/** WCAG 2.1 AA, 1.4.3: normal text needs 4.5:1. */
export const TEXT_CONTRAST = 4.5;

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb, e.g. "#1a4fd6" (quote it in YAML: # starts a comment)')
  .transform((c) => c.toLowerCase());

/** An image: an http(s) URL, or a file path relative to the config file's directory. */
const image = z.string().min(1).max(2048);

export const brandingSchema = z.object({
  /** Logo in the header of every page, its alt text the `appName`: a file (svg, png, jpeg, webp; at most 256 KiB) relative to the config file, served by flowgate, or an https URL (its address is added to the CSP's img-src). @default none: the product name only */
  logo: image.optional(),
  /** Favicon: a file (svg, png, ico, jpeg, webp; at most 256 KiB) or an https URL, like `logo`. @default the flowgate mark */
  favicon: image.optional(),
  /** Buttons, links and focus rings. White text on it, and it as link text on the (white) card, must reach 4.5:1. @default "#3949ab" */
  primaryColor: hexColor.optional(),
  /** The page behind the card (desktop widths; phones see the card edge to edge). No text is drawn on it. @default "#f4f5f7" */
  backgroundColor: hexColor.optional(),
  /** Show `appName` as text beside the logo; turn off when the logo already spells the name. @default true */
  showName: z.boolean().default(true),
}).strict().superRefine((b, ctx) => {
  if (!b.primaryColor) return;
  const checks = [
    { what: `white button text on ${b.primaryColor}`, ratio: contrastRatio(ON_PRIMARY, b.primaryColor) },
    { what: `${b.primaryColor} as link text on the page background (${SURFACE})`, ratio: contrastRatio(b.primaryColor, SURFACE) },
  ];
  for (const { what, ratio } of checks) {
    if (ratio >= TEXT_CONTRAST) continue;
    ctx.addIssue({
      code: 'custom', path: ['primaryColor'],
      message: `${what} has a contrast ratio of ${(Math.floor(ratio * 100) / 100).toFixed(2)}:1, below the ${TEXT_CONTRAST}:1 minimum (WCAG 2.1 AA); choose a darker colour`,
    });
    return; // the two checks are the same ratio on a white card: say it once
  }
});
export type Branding = z.infer<typeof brandingSchema>;
