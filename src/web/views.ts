// Page rendering: handlebars views from views/, one layout, a `t` helper for messages; an
// operator's viewsDir replaces built-in files one by one. Everything is escaped except `body`
// (our own rendered view) and library-made forms.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import { formatPhone } from '../authenticators/identify-phone/phone.ts';
import { DEFAULT_BRAND, type BrandModel } from '../branding/index.ts';
import { ConfigError } from '../config/load.ts';
import { hasMessage, translate } from './i18n/index.ts';

/**
 * Renders a view in its layout. The page's <title> is "<page title> · <appName>", the page title
 * from the catalogue (see titleKeyOf); `title` is literal text for pages outside the catalogue (admin).
 */
export type Render = (view: string, model: Record<string, unknown> & { locale: string; title?: string; titleKey?: string }) => string;

/**
 * The catalogue key of a view's title: the model's `titleKey`, else `title.<view>_<flowKind>`,
 * `title.<view>_<message>`, `title.<view>` (view without `interaction/` and `/index`).
 */
export function titleKeyOf(view: string, model: { titleKey?: string; flowKind?: unknown; message?: unknown }): string | undefined {
  const base = `title.${view.replace(/^interaction\//, '').replace(/\/index$/, '').replaceAll('/', '.')}`;
  const candidates = [
    model.titleKey,
    typeof model.flowKind === 'string' ? `${base}_${model.flowKind}` : undefined,
    typeof model.message === 'string' ? `${base}_${model.message}` : undefined,
    base,
  ];
  return candidates.find((key): key is string => typeof key === 'string' && hasMessage('en', key));
}

/** Every file under dir but hidden ones (.DS_Store, .git), so a stray file is seen, not ignored. */
function allFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.')).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/** A view's name from its path: `interaction/phone`, `partials/notice`, `layouts/main`. */
const nameOf = (dir: string, file: string) => relative(dir, file).split(sep).join('/').replace(/\.hbs$/, '');

/** The override files of viewsDir by view name; a file that replaces nothing or does not compile is refused. */
function readOverrides(dir: string, builtIn: ReadonlySet<string>, hbs: typeof Handlebars): Map<string, string> {
  let found: string[];
  try {
    found = allFiles(dir);
  } catch (err) {
    throw new ConfigError(`viewsDir: cannot read '${dir}': ${(err as Error).message}`);
  }
  const overrides = new Map<string, string>();
  for (const file of found) {
    const shown = relative(dir, file).split(sep).join('/');
    const name = nameOf(dir, file);
    if (!file.endsWith('.hbs') || !builtIn.has(name)) {
      throw new ConfigError(`viewsDir: '${shown}' in ${dir} matches no built-in view or partial (a typo?); the built-in ones are ${[...builtIn].sort().map((n) => `${n}.hbs`).join(', ')}`);
    }
    const source = readFileSync(file, 'utf8');
    try {
      hbs.precompile(source, COMPILE);
    } catch (err) {
      throw new ConfigError(`viewsDir: '${shown}' in ${dir} does not compile: ${(err as Error).message}`);
    }
    if (name === 'layouts/main' && !/\{\{\{\s*body\s*\}\}\}/.test(source)) {
      throw new ConfigError(`viewsDir: '${shown}' in ${dir} must contain {{{body}}}, where each page goes`);
    }
    overrides.set(name, source);
  }
  return overrides;
}

/**
 * Every helper a view may call: the built-in ones and ours (createViews). Compiled with
 * knownHelpersOnly, a `{{name}}` is a plain lookup in the model, not a helper search on every render.
 */
const HELPERS = { formatPhone: true, t: true, has: true, eq: true, duration: true, concat: true } as const;
const COMPILE = { strict: false, knownHelpers: HELPERS, knownHelpersOnly: true };

export interface ViewOptions {
  /** Numbers of this region are shown in national format, others in international format. */
  defaultRegion?: string;
  /** An operator's template overrides (config `viewsDir`, resolved): each file replaces the built-in one of the same path. */
  overridesDir?: string;
  /** The brand in force (logo, favicon, stylesheet), read by the layout as `brand`. */
  brand?: BrandModel;
}

export function createViews(dir: string, appName: string, opts: ViewOptions = {}): Render {
  const hbs = Handlebars.create();
  hbs.registerHelper('formatPhone', (e164: unknown) => (typeof e164 === 'string' ? formatPhone(e164, opts.defaultRegion ?? 'US') : ''));
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const root = options.data?.root as { locale?: string } | undefined;
    return translate(root?.locale ?? 'en', key, options.hash as Record<string, unknown>);
  });
  /** Whether the catalogue (the page's locale or English) has a message: lets a view show a sentence only where one exists. */
  hbs.registerHelper('has', function (this: unknown, key: unknown, options: Handlebars.HelperOptions) {
    const root = options.data?.root as { locale?: string } | undefined;
    return typeof key === 'string' && hasMessage(root?.locale ?? 'en', key);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  /** A wait in seconds, in words: seconds under two minutes, minutes under two hours, else hours. */
  hbs.registerHelper('duration', function (this: unknown, seconds: unknown, options: Handlebars.HelperOptions) {
    const locale = (options.data?.root as { locale?: string } | undefined)?.locale ?? 'en';
    const s = Math.max(0, Math.ceil(Number(seconds) || 0));
    if (s < 120) return translate(locale, 'wait.seconds', { n: s });
    if (s < 7200) return translate(locale, 'wait.minutes', { n: Math.ceil(s / 60) });
    return translate(locale, 'wait.hours', { n: Math.ceil(s / 3600) });
  });
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  const sources = new Map(allFiles(dir).filter((file) => file.endsWith('.hbs')).map((file) => [nameOf(dir, file), readFileSync(file, 'utf8')]));
  if (opts.overridesDir) for (const [name, source] of readOverrides(opts.overridesDir, new Set(sources.keys()), hbs)) sources.set(name, source);
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const [name, source] of sources) {
    if (name.startsWith('partials/')) hbs.registerPartial(name.slice('partials/'.length), hbs.compile(source, COMPILE));
    else templates.set(name, hbs.compile(source, COMPILE));
  }
  const layout = templates.get('layouts/main');
  if (!layout) throw new Error(`${dir}: layouts/main.hbs is missing`);

  return (view, model) => {
    const template = templates.get(view);
    if (!template) throw new Error(`view '${view}' not found`);
    const titleKey = model.title === undefined ? titleKeyOf(view, model) : undefined;
    const title = titleKey ? translate(model.locale, titleKey) : model.title;
    const data = { appName, brand: opts.brand ?? DEFAULT_BRAND, ...model, ...(title === undefined ? {} : { title }) };
    return layout({ ...data, body: template(data) });
  };
}
