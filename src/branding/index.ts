// The brand in force, built once at start-up: what the layout shows (logo, favicon, stylesheet),
// the files flowgate serves for it, and the image sources the CSP must allow.
import { createHash } from 'node:crypto';
import type { Branding } from './config.ts';
import { loadBrandImage, type BrandImage } from './image.ts';
import { brandStylesheet } from './stylesheet.ts';

/** What the layout reads as `brand` (every value escaped by handlebars). */
export interface BrandModel {
  logo?: string;
  showName: boolean;
  favicon: { href: string; type?: string };
  stylesheet?: string;
}

export interface Brand {
  model: BrandModel;
  /** Files served under /assets/brand…, by path. */
  assets: Map<string, { type: string; body: Buffer }>;
  /** Extra CSP img-src sources (external logo or favicon URLs), exact URLs only. */
  imgSources: string[];
}

const DEFAULT_FAVICON = { href: '/assets/favicon.svg', type: 'image/svg+xml' };
/** No branding configured: the product name, the flowgate favicon, app.css's colours. */
export const DEFAULT_BRAND: BrandModel = { showName: true, favicon: DEFAULT_FAVICON };

export function createBrand(branding: Branding, configDir: string, issuerHttps: boolean): Brand {
  const assets = new Map<string, { type: string; body: Buffer }>();
  const imgSources: string[] = [];
  const use = (image: BrandImage) => {
    if (image.kind === 'file') assets.set(image.src, { type: image.type, body: image.body });
    else imgSources.push(image.cspSource);
    return image;
  };
  const logo = branding.logo
    ? use(loadBrandImage({ field: 'branding.logo', stem: 'logo', extensions: ['.svg', '.png', '.jpg', '.jpeg', '.webp'] }, branding.logo, configDir, issuerHttps))
    : undefined;
  const favicon = branding.favicon
    ? use(loadBrandImage({ field: 'branding.favicon', stem: 'favicon', extensions: ['.svg', '.png', '.ico', '.jpg', '.jpeg', '.webp'] }, branding.favicon, configDir, issuerHttps))
    : undefined;
  const css = brandStylesheet(branding);
  let stylesheet: string | undefined;
  if (css) {
    const body = Buffer.from(css);
    stylesheet = `/assets/brand-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.css`;
    assets.set(stylesheet, { type: 'text/css; charset=utf-8', body });
  }
  return {
    model: {
      showName: branding.showName,
      favicon: favicon ? { href: favicon.src, ...(favicon.kind === 'file' ? { type: favicon.type } : {}) } : DEFAULT_FAVICON,
      ...(logo ? { logo: logo.src } : {}),
      ...(stylesheet ? { stylesheet } : {}),
    },
    assets,
    imgSources: [...new Set(imgSources)],
  };
}
