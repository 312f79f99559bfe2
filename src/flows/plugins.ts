// Third-party authenticators: modules whose default export (or named export `authenticator`) is an
// AuthenticatorFactory. Each is imported, its shape checked, and only then registered; nothing is
// created at load (create(deps) runs when the server starts its flows, as for built-ins).
// All modules are checked before any is registered, so a refusal leaves the registry unchanged.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { requirements } from './model.ts';
import { builtinAuthenticators, type AnyFactory } from './registry.ts';

export class PluginError extends Error {
  override name = 'PluginError';
}

const factoryShape = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes, starting with a letter (at most 40)'),
  displayName: z.string().min(1),
  displayNames: z.record(z.string(), z.string().min(1).max(100)).optional(),
  helpText: z.string(),
  requirementChoices: z.array(z.enum(requirements)).min(1),
  configSchema: z.custom<z.ZodType>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function',
    'must be a zod schema (an object with a safeParse function)',
  ),
  defaultConfig: z.unknown(),
  secretKeys: z.array(z.string()).optional(),
  requiresUser: z.boolean().optional(),
  condition: z.boolean().optional(),
  identifies: z.boolean().optional(),
  proves: z.union([z.boolean(), z.custom<(c: unknown) => boolean>((v) => typeof v === 'function', 'must be a boolean or a function of the config')]).optional(),
  create: z.custom<AnyFactory['create']>((v) => typeof v === 'function', 'must be a function'),
});

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * Imports a plugin module. The compiled server (plain node) cannot import a `.ts` file by itself;
 * such a plugin goes through tsx's loader instead (a dependency, as under `npm run dev` and the tests).
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') || !/\.[cm]?ts$/.test(url)) throw err;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

async function loadOne(modulePath: string, baseDir: string): Promise<AnyFactory> {
  const refuse = (problem: string) => new PluginError(`authenticator plugin ${modulePath}: ${problem}`);
  const file = isAbsolute(modulePath) ? modulePath : resolve(baseDir, modulePath);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(pathToFileURL(file).href);
  } catch (err) {
    throw refuse(`cannot import ${file}: ${firstLine(err)}`);
  }
  const factory = mod.default ?? mod.authenticator;
  if (factory === undefined || factory === null) {
    throw refuse('no factory export (expected a default export or a named export `authenticator`)');
  }
  if (typeof factory !== 'object') throw refuse(`the export is a ${typeof factory}, not an authenticator factory object`);

  const shape = factoryShape.safeParse(factory);
  if (!shape.success) {
    const problems = shape.error.issues.map((i) => `field ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw refuse(`not an authenticator factory: ${problems.join('; ')}`);
  }
  const { configSchema, defaultConfig } = factory as AnyFactory;
  let defaults;
  try {
    defaults = configSchema.safeParse(defaultConfig);
  } catch (err) {
    throw refuse(`field defaultConfig: configSchema threw on it: ${firstLine(err)}`);
  }
  if (!defaults.success) {
    const issue = defaults.error.issues[0]!;
    throw refuse(`field defaultConfig: does not pass configSchema (${issue.path.map(String).join('.') || '(root)'}: ${issue.message})`);
  }
  return factory as AnyFactory;
}

export async function loadPluginAuthenticators(modulePaths: string[], registry: Map<string, AnyFactory>, baseDir: string): Promise<void> {
  const builtinIds = new Set(builtinAuthenticators().keys());
  const loaded = new Map<string, { factory: AnyFactory; modulePath: string }>();
  for (const modulePath of modulePaths) {
    const factory = await loadOne(modulePath, baseDir);
    const where = `authenticator plugin ${modulePath}: field id: '${factory.id}'`;
    const other = loaded.get(factory.id);
    if (other) throw new PluginError(`${where} clashes with the plugin ${other.modulePath}`);
    if (builtinIds.has(factory.id)) throw new PluginError(`${where} clashes with the built-in authenticator of that id`);
    if (registry.has(factory.id)) throw new PluginError(`${where} clashes with an authenticator already registered`);
    loaded.set(factory.id, { factory, modulePath });
  }
  for (const [id, { factory }] of loaded) registry.set(id, factory);
}
