// SMS templates: handlebars without HTML escaping, variables from a fixed list, no helpers.
// The syntax tree is checked at load, so a bad template is refused before any code is sent.
import Handlebars from 'handlebars';

export const templateVariables = ['code', 'ttlMinutes', 'appName', 'host'] as const;
export type TemplateVariables = Record<(typeof templateVariables)[number], string>;
export const MAX_TEMPLATE_LENGTH = 480;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Node = { type: string; [k: string]: unknown };

/** How a refusal by checkTemplateVariables reads; the defaults are the SMS template wording. */
export interface TemplateWording {
  /** Follows a refused node's type: `'BlockStatement' <notAllowed>; only {{…}}, {{…}}`. */
  notAllowed?: string;
  /** Follows `use {{name}},` when a variable is output unescaped. */
  unescaped?: string;
}

/**
 * Checks a parsed handlebars template (Handlebars.parse) against a whitelist: only text, comments and plain
 * `{{name}}` of the `allowed` variables; no helpers, blocks, partials, paths, @data or unescaped output.
 * Returns the variables used; throws a TemplateError with a message for the user.
 */
export function checkTemplateVariables(ast: unknown, allowed: readonly string[], wording: TemplateWording = {}): Set<string> {
  const list = allowed.map((v) => `{{${v}}}`).join(', ');
  const used = new Set<string>();
  const check = (node: Node): void => {
    switch (node.type) {
      case 'Program':
        for (const child of node.body as Node[]) check(child);
        return;
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const path = node.path as Node & { parts?: string[]; original?: unknown; data?: boolean; depth?: number };
        const ok = path.type === 'PathExpression' && !path.data && path.depth === 0
          && path.parts?.length === 1 && allowed.includes(path.parts[0]!)
          && (node.params as unknown[]).length === 0 && !node.hash;
        if (!ok) throw new TemplateError(`unknown variable or expression '${String(path.original ?? path.type)}'; allowed: ${list}`);
        if (!node.escaped) throw new TemplateError(`use {{${path.parts![0]}}}, ${wording.unescaped ?? 'not triple braces'}`);
        used.add(path.parts![0]!);
        return;
      }
      default:
        throw new TemplateError(`'${node.type}' ${wording.notAllowed ?? 'is not allowed in SMS templates'}; only ${list}`);
    }
  };
  check(ast as Node);
  return used;
}

export type CompiledTemplate = (vars: TemplateVariables) => string;

/** Usages sent as notices (sms-notify), without a code: their templates need no {{code}}. */
export const noticeUsages: readonly string[] = ['phone-changed', 'welcome'];
/** Whether a template for `usage` must contain {{code}} (compileTemplate's `requireCode`). */
export const requiresCode = (usage: string): boolean => !noticeUsages.includes(usage);

export function compileTemplate(source: string, opts: { requireCode?: boolean } = {}): CompiledTemplate {
  if (source.length > MAX_TEMPLATE_LENGTH) throw new TemplateError(`longer than ${MAX_TEMPLATE_LENGTH} characters`);
  let ast: unknown;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    throw new TemplateError(`does not compile: ${(err as Error).message.split('\n')[0]}`);
  }
  checkTemplateVariables(ast, templateVariables);
  if ((opts.requireCode ?? true) && !/\{\{\s*code\s*\}\}/.test(source)) throw new TemplateError('must contain {{code}}');
  const render = Handlebars.compile(source, { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: {} });
  return (vars) => {
    const data: Record<string, string> = Object.create(null);
    for (const key of templateVariables) data[key] = vars[key];
    return render(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  };
}

/** Built-in defaults per usage and locale; config `sms.templates` and a step's `templates` override them. */
export const defaultTemplates: Record<string, Record<string, string>> = {
  'sign-in': {
    en: '{{code}} is your {{appName}} sign-in code. It expires in {{ttlMinutes}} minutes.\n\n@{{host}} #{{code}}',
    de: '{{code}} ist Ihr Anmeldecode für {{appName}}. Gültig für {{ttlMinutes}} Minuten.\n\n@{{host}} #{{code}}',
  },
  register: {
    en: '{{code}} is your {{appName}} code to create your account. It expires in {{ttlMinutes}} minutes.\n\n@{{host}} #{{code}}',
    de: '{{code}} ist Ihr Code zum Anlegen Ihres Kontos bei {{appName}}. Gültig für {{ttlMinutes}} Minuten.\n\n@{{host}} #{{code}}',
  },
  reset: {
    en: '{{code}} is your {{appName}} code to reset your password. It expires in {{ttlMinutes}} minutes. If you did not ask for it, ignore this message.\n\n@{{host}} #{{code}}',
    de: '{{code}} ist Ihr Code zum Zurücksetzen Ihres Passworts bei {{appName}}. Gültig für {{ttlMinutes}} Minuten. Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.\n\n@{{host}} #{{code}}',
  },
  'phone-change': {
    en: '{{code}} is your {{appName}} code to confirm your new phone number. It expires in {{ttlMinutes}} minutes. If you did not ask for it, ignore this message.\n\n@{{host}} #{{code}}',
    de: '{{code}} ist Ihr Code zum Bestätigen Ihrer neuen Telefonnummer bei {{appName}}. Gültig für {{ttlMinutes}} Minuten. Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht.\n\n@{{host}} #{{code}}',
  },
  'phone-changed': {
    en: 'The phone number of your {{appName}} account was changed, and this number no longer signs in to it. If this was not you, contact {{appName}} support at once.',
    de: 'Die Telefonnummer Ihres Kontos bei {{appName}} wurde geändert; mit dieser Nummer melden Sie sich dort nicht mehr an. Falls Sie das nicht waren, wenden Sie sich sofort an den Support von {{appName}}.',
  },
  welcome: {
    en: 'Welcome to {{appName}}! Your account is ready.',
    de: 'Willkommen bei {{appName}}! Ihr Konto ist eingerichtet.',
  },
  generic: {
    en: '{{code}} is your {{appName}} code. It expires in {{ttlMinutes}} minutes.\n\n@{{host}} #{{code}}',
    de: '{{code}} ist Ihr Code für {{appName}}. Gültig für {{ttlMinutes}} Minuten.\n\n@{{host}} #{{code}}',
  },
};

/** Global template overrides from config, by usage then locale. */
export type TemplateOverrides = Partial<Record<string, Record<string, string>>>;

/**
 * The template for a usage and locale: the step's own, then the global overrides, then the
 * built-in defaults for the usage, then `generic`; each tried for the locale, its base language, then `en`.
 */
export function pickTemplate(step: Record<string, string>, global: TemplateOverrides, usage: string, locale: string): string {
  const tags = [locale, locale.split('-')[0]!, 'en'];
  for (const source of [step, global[usage], defaultTemplates[usage], global.generic, defaultTemplates.generic]) {
    for (const tag of tags) {
      const found = source && Object.hasOwn(source, tag) ? source[tag] : undefined;
      if (typeof found === 'string' && found) return found;
    }
  }
  return defaultTemplates.generic!.en!;
}
