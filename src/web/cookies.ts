// flowgate's own cookies (account page, admin console): a JSON payload with an expiry, either
// signed with HMAC-SHA256 (tamper proof, readable) or sealed with AES-256-GCM (tamper proof and
// unreadable: for payloads that hold a token). HttpOnly, SameSite=Lax, scoped to a path, Secure
// when the issuer is https.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export interface CookieJarOptions {
  /** The path the cookies are sent to (`/account`, `/admin`). */
  path: string;
  secure: boolean;
  /** Encrypt the payload (it holds a credential) instead of only signing it. */
  sealed?: boolean;
}

function readRaw(req: Request, name: string): string | undefined {
  return (req.get('cookie') ?? '').split(';').map((p) => p.trim()).find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** The signed form: `base64url(json).mac`. */
function signer(key: Buffer) {
  const mac = (data: string) => createHmac('sha256', key).update(data).digest('base64url');
  return {
    wrap: (name: string, json: string) => {
      const data = Buffer.from(json).toString('base64url');
      return `${data}.${mac(`${name}\n${data}`)}`;
    },
    unwrap: (name: string, raw: string): string | undefined => {
      const [data, sig] = raw.split('.');
      if (!data || !sig) return undefined;
      const want = Buffer.from(mac(`${name}\n${data}`));
      const got = Buffer.from(sig);
      if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
      return Buffer.from(data, 'base64url').toString('utf8');
    },
  };
}

/** The sealed form: `base64url(iv | ciphertext | tag)`, the cookie's name as associated data. */
function sealer(secret: Buffer) {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'flowgate cookie seal', 32));
  return {
    wrap: (name: string, json: string) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(name));
      const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    unwrap: (name: string, raw: string): string | undefined => {
      const bytes = Buffer.from(raw, 'base64url');
      if (bytes.length < 12 + 16 + 2) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12)).setAAD(Buffer.from(name));
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export function createCookieJar(key: Buffer, opts: CookieJarOptions) {
  const form = opts.sealed ? sealer(key) : signer(key);
  const options = { path: opts.path, httpOnly: true, sameSite: 'lax' as const, secure: opts.secure };

  function read<T extends object>(req: Request, name: string, now: number): T | undefined {
    const raw = readRaw(req, name);
    const json = raw ? form.unwrap(name, raw) : undefined;
    if (json === undefined) return undefined;
    try {
      const payload = JSON.parse(json) as T & { exp?: unknown };
      return typeof payload.exp === 'number' && payload.exp > now ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  function write(res: Response, name: string, payload: object, maxAgeMs: number, now: number): void {
    res.cookie(name, form.wrap(name, JSON.stringify({ ...payload, exp: now + maxAgeMs })), { ...options, maxAge: maxAgeMs, encode: String });
  }

  function clear(res: Response, name: string): void {
    res.clearCookie(name, options);
  }

  return { read, write, clear };
}

export type CookieJar = ReturnType<typeof createCookieJar>;
