// The account page's cookies: a JSON payload with an expiry, signed with HMAC-SHA256 (tamper
// proof, not secret), HttpOnly, SameSite=Lax, scoped to /account, Secure when the issuer is https.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

export function createCookieJar(key: Buffer, secure: boolean) {
  const mac = (data: string) => createHmac('sha256', key).update(data).digest('base64url');
  const options = { path: '/account', httpOnly: true, sameSite: 'lax' as const, secure };

  function read<T extends object>(req: Request, name: string, now: number): T | undefined {
    const raw = (req.get('cookie') ?? '').split(';').map((p) => p.trim()).find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1);
    const [data, sig] = (raw ?? '').split('.');
    if (!data || !sig) return undefined;
    const want = Buffer.from(mac(`${name}\n${data}`));
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as T & { exp?: unknown };
      return typeof payload.exp === 'number' && payload.exp > now ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  function write(res: Response, name: string, payload: object, maxAgeMs: number, now: number): void {
    const data = Buffer.from(JSON.stringify({ ...payload, exp: now + maxAgeMs })).toString('base64url');
    res.cookie(name, `${data}.${mac(`${name}\n${data}`)}`, { ...options, maxAge: maxAgeMs, encode: String });
  }

  function clear(res: Response, name: string): void {
    res.clearCookie(name, options);
  }

  return { read, write, clear };
}

export type CookieJar = ReturnType<typeof createCookieJar>;
