// A brand image (logo, favicon) from config: an http(s) URL left where it is, or a file read once
// at start-up, checked (type by extension and by content, size capped) and served by flowgate.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ConfigError } from '../config/load.ts';

export const MAX_IMAGE_BYTES = 256 * 1024;

const TYPES: Record<string, { type: string; name: string; looksRight: (b: Buffer) => boolean }> = {
  '.svg': { type: 'image/svg+xml', name: 'SVG', looksRight: (b) => /<svg[\s>]/.test(b.subarray(0, 4096).toString('utf8')) },
  '.png': { type: 'image/png', name: 'PNG', looksRight: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  '.jpg': { type: 'image/jpeg', name: 'JPEG', looksRight: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.jpeg': { type: 'image/jpeg', name: 'JPEG', looksRight: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.webp': { type: 'image/webp', name: 'WebP', looksRight: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  '.ico': { type: 'image/x-icon', name: 'ICO', looksRight: (b) => b.subarray(0, 4).equals(Buffer.from([0, 0, 1, 0])) },
};

export type BrandImage =
  | { kind: 'url'; src: string; /** The CSP img-src source that allows exactly this image. */ cspSource: string }
  | { kind: 'file'; src: string; type: string; body: Buffer };

export interface ImageRule {
  /** The config key, for messages: `branding.logo`. */
  field: string;
  /** Served as /assets/brand/<stem>-<hash><ext>. */
  stem: string;
  extensions: string[];
}

/** CSP source for one URL: its origin and path (query and fragment are never matched), `;` and `,` escaped. */
function cspSourceOf(url: URL): string {
  return `${url.origin}${url.pathname.replace(/;/g, '%3B').replace(/,/g, '%2C')}`;
}

function fromUrl(rule: ImageRule, value: string, issuerHttps: boolean): BrandImage {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${rule.field}: '${value}' is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${rule.field}: '${url.protocol}' URLs are not allowed; use an https URL or a file path`);
  if (url.username || url.password) throw new ConfigError(`${rule.field}: the URL must not carry a user name or password`);
  if (issuerHttps && url.protocol === 'http:') {
    throw new ConfigError(`${rule.field}: the issuer is https, so browsers block or upgrade an http image (mixed content); use an https URL or a file path`);
  }
  return { kind: 'url', src: url.href, cspSource: cspSourceOf(url) };
}

function fromFile(rule: ImageRule, value: string, configDir: string): BrandImage {
  const path = resolve(configDir, value);
  const ext = extname(path).toLowerCase();
  const format = rule.extensions.includes(ext) ? TYPES[ext] : undefined;
  if (!format) throw new ConfigError(`${rule.field}: '${value}' must be one of ${rule.extensions.join(', ')} (by its file name)`);
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch (err) {
    throw new ConfigError(`${rule.field}: cannot read '${value}' (looked for ${path}): ${(err as Error).message}`);
  }
  if (size > MAX_IMAGE_BYTES) throw new ConfigError(`${rule.field}: '${value}' is ${size} bytes; at most ${MAX_IMAGE_BYTES} (256 KiB)`);
  const body = readFileSync(path);
  if (!format.looksRight(body)) throw new ConfigError(`${rule.field}: '${value}' is not a ${format.name} file (its content does not match its name)`);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { kind: 'file', src: `/assets/brand/${rule.stem}-${hash}${ext}`, type: format.type, body };
}

/** A configured image, or a ConfigError naming the field. */
export function loadBrandImage(rule: ImageRule, value: string, configDir: string, issuerHttps: boolean): BrandImage {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? fromUrl(rule, value, issuerHttps) : fromFile(rule, value, configDir);
}
