// A minimal browser for HTTP tests: a cookie jar (path-aware), manual redirects, form helpers.
export interface Page { status: number; url: string; html: string; headers: Headers; location?: string }

interface Cookie { name: string; value: string; path: string }

export class Browser {
  readonly cookies: Cookie[] = [];
  /** `headers` go with every request (a real browser sends Accept-Language on each one). */
  constructor(readonly origin: string, readonly headers: Record<string, string> = {}) {}

  private cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
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
  async request(url: string, init: { method?: string; form?: Record<string, string | string[]>; body?: string; headers?: Record<string, string> } = {}): Promise<Page> {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = { accept: 'text/html', ...this.headers, ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined = init.body;
    if (init.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const item of [v].flat()) params.append(k, item);
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(target, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.store(target, res.headers);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url: target.href, html: await res.text(), headers: res.headers, ...(location ? { location: new URL(location, target).href } : {}) };
  }

  /** Follows redirects while they stay on this origin; returns the last page or the off-origin redirect. */
  async go(url: string, init: Parameters<Browser['request']>[1] = {}): Promise<Page> {
    let page = await this.request(url, init);
    for (let hops = 0; page.location && hops < 10; hops += 1) {
      if (new URL(page.location).origin !== this.origin) return page;
      // The same client follows the redirect: its headers (a proxy's X-Forwarded-For, the language) go along.
      page = await this.request(page.location, init.headers ? { headers: init.headers } : {});
    }
    return page;
  }
}

export function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no csrf token in page:\n${html.slice(0, 500)}`);
  return m[1]!;
}

export function formAction(html: string, contains: string): string {
  const actions = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const found = actions.find((a) => a.includes(contains));
  if (!found) throw new Error(`no form action containing ${contains}; have ${actions.join(', ')}`);
  return found;
}
