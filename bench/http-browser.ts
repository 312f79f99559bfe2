// The load client's browser: test/helpers/browser.ts's cookie jar and manual redirects, on
// node:http with a keep-alive agent instead of fetch. undici's fetch cost the load client about
// as much CPU per login as the bare server itself, and on a small machine the two compete.
import { Agent, request as httpRequest } from 'node:http';

export interface BenchPage { status: number; url: string; html: string; location?: string }

interface Cookie { name: string; value: string; path: string }

export interface RequestInit {
  method?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export class HttpBrowser {
  /** HTTP round trips made by every HttpBrowser (redirects included). */
  static requests = 0;
  private readonly cookies: Cookie[] = [];

  constructor(readonly origin: string, private readonly agent: Agent) {}

  private cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }

  private store(url: URL, setCookie: string[]): void {
    for (const line of setCookie) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...v] = pair!.split('=');
      const pathAttr = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttr ? pathAttr.slice(5) : url.pathname.replace(/\/[^/]*$/, '') || '/';
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a));
      const i = this.cookies.findIndex((c) => c.name === name!.trim() && c.path === path);
      if (i >= 0) this.cookies.splice(i, 1);
      if (!expired) this.cookies.push({ name: name!.trim(), value: v.join('='), path });
    }
  }

  /** One request, no redirect following. */
  request(url: string, init: RequestInit = {}): Promise<BenchPage> {
    HttpBrowser.requests += 1;
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const method = init.method ?? (body !== undefined ? 'POST' : 'GET');
    return new Promise((resolve, reject) => {
      const req = httpRequest(target, { method, headers, agent: this.agent }, (res) => {
        this.store(target, res.headers['set-cookie'] ?? []);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const location = res.headers.location;
          resolve({
            status: res.statusCode ?? 0,
            url: target.href,
            html: Buffer.concat(chunks).toString('utf8'),
            ...(location ? { location: new URL(location, target).href } : {}),
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Follows redirects while they stay on this origin; returns the last page or the off-origin redirect. */
  async go(url: string, init: RequestInit = {}): Promise<BenchPage> {
    let page = await this.request(url, init);
    for (let hops = 0; page.location && hops < 10; hops += 1) {
      if (new URL(page.location).origin !== this.origin) return page;
      page = await this.request(page.location);
    }
    return page;
  }
}
