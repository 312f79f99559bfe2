// Serves the brand's files (stylesheet, logo, favicon) from memory: named by content hash, so
// cached for a year; an SVG opened on its own runs no script (sandboxed, nothing loads).
import { Router } from 'express';
import type { Brand } from './index.ts';

const ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

export function brandRoutes(brand: Brand): Router {
  const router = Router();
  for (const [path, asset] of brand.assets) {
    router.get(path, (_req, res) => {
      res.set({
        'content-type': asset.type,
        'cache-control': 'public, max-age=31536000, immutable',
        'content-security-policy': ASSET_CSP,
      }).send(asset.body);
    });
  }
  // Browsers that ignore <link rel="icon"> ask for /favicon.ico: send them to the icon in use.
  const icon = brand.model.favicon.href;
  if (icon.startsWith('/')) router.get('/favicon.ico', (_req, res) => { res.set('cache-control', 'public, max-age=3600').redirect(302, icon); });
  return router;
}
