// The admin console's template preview: the same rules as compileTemplate (length, syntax, the fixed
// variable list, {{code}} where the usage sends one), every unknown variable named at once, and the
// text rendered with sample values and measured as an SMS (encoding, segments).
import Handlebars from 'handlebars';
import { measureSms, type SmsMeasure } from './segments.ts';
import { compileTemplate, requiresCode, TemplateError, templateVariables, type TemplateVariables } from './template.ts';
import type { Usage } from './types.ts';

export interface PreviewOptions {
  usage: Usage;
  /** Replaces the sample values: code `123456` (or `codeLength` digits), ttlMinutes `5`, appName `flowgate`, host `example.com`. */
  sample?: Partial<TemplateVariables>;
  /** Length of the sample code when `sample.code` is not given (default 6). */
  codeLength?: number;
}

export type PreviewResult =
  | ({ ok: true; text: string; variables: string[] } & SmsMeasure)
  | { ok: false; problem: string; unknownVariables: string[] };

type Node = { type: string; [k: string]: unknown };

const allowed: readonly string[] = templateVariables;
const isVariable = (p: Node): boolean => p.type === 'PathExpression' && !p.data && p.depth === 0
  && Array.isArray(p.parts) && p.parts.length === 1 && allowed.includes(p.parts[0] as string);

/** Every name a template outputs or passes that is not one of the template variables, in order of appearance. */
export function unknownVariables(ast: unknown): string[] {
  const found = new Set<string>();
  const expr = (node: Node | undefined, named: boolean): void => {
    if (!node) return;
    if (node.type === 'PathExpression') {
      if (!isVariable(node)) found.add(String(node.original));
    } else if (node.type === 'SubExpression') {
      call(node, true);
    } else if (named) {
      found.add(String(node.original ?? node.type)); // a literal output as a value: {{"text"}}
    }
  };
  const call = (node: Node, pathIsValue: boolean): void => {
    if (pathIsValue) expr(node.path as Node, true);
    for (const p of (node.params as Node[] | undefined) ?? []) expr(p, false);
    for (const pair of ((node.hash as { pairs?: Array<{ value: Node }> } | undefined)?.pairs) ?? []) expr(pair.value, false);
  };
  const walk = (node: Node | undefined | null): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        for (const child of node.body as Node[]) walk(child);
        return;
      case 'MustacheStatement':
        call(node, true);
        return;
      case 'BlockStatement':
      case 'DecoratorBlock':
        // The block's helper (`if`, `each`) is refused as a block, not listed as a variable.
        call(node, false);
        walk(node.program as Node);
        walk(node.inverse as Node);
        return;
      case 'PartialStatement':
      case 'PartialBlockStatement':
        call(node, false);
        walk(node.program as Node);
        return;
      default:
        return;
    }
  };
  walk(ast as Node);
  return [...found];
}

const quoteList = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

export function previewTemplate(source: string, opts: PreviewOptions): PreviewResult {
  let unknown: string[] = [];
  try {
    unknown = unknownVariables(Handlebars.parse(source));
  } catch {
    // does not parse: compileTemplate below says how
  }
  const notice = !requiresCode(opts.usage);
  let render;
  try {
    render = compileTemplate(source, { requireCode: !notice });
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    let problem = err.message;
    if (unknown.length > 1 && problem.startsWith('unknown variable')) {
      problem = `unknown variables or expressions ${quoteList(unknown)}; allowed: ${allowed.map((v) => `{{${v}}}`).join(', ')}`;
    }
    return { ok: false, problem, unknownVariables: unknown };
  }
  const ast = Handlebars.parse(source);
  const variables: string[] = [];
  const collect = (node: Node): void => {
    if (node.type === 'Program') for (const child of node.body as Node[]) collect(child);
    else if (node.type === 'MustacheStatement') {
      const name = (node.path as { parts: string[] }).parts[0]!;
      if (!variables.includes(name)) variables.push(name);
    }
  };
  collect(ast as unknown as Node);
  // A notice is rendered as sms-notify renders it: no code, no expiry.
  const codeLength = Math.max(1, Math.min(opts.codeLength ?? 6, 32));
  const vars: TemplateVariables = {
    code: notice ? '' : '1234567890'.repeat(4).slice(0, codeLength),
    ttlMinutes: notice ? '' : '5',
    appName: 'flowgate',
    host: 'example.com',
  };
  for (const key of templateVariables) {
    const value = opts.sample?.[key];
    if (typeof value === 'string') vars[key] = value;
  }
  const text = render(vars);
  return { ok: true, text, ...measureSms(text), variables };
}
