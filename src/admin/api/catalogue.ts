// /admin/api/catalogue…: what can go into a flow and a connector chain, with config JSON Schemas
// and which keys are secret: enough to draw a form.
import type { AnyFactory } from '../../flows/registry.ts';
import { jsonSchemaOf, route, type ApiRoute } from './define.ts';


export function authenticatorCatalogue(registry: Map<string, AnyFactory>) {
  return [...registry.values()].map((f) => ({
    id: f.id, displayName: f.displayName, helpText: f.helpText, requirementChoices: f.requirementChoices,
    condition: Boolean(f.condition), requiresUser: Boolean(f.requiresUser), identifies: Boolean(f.identifies),
    configSchema: jsonSchemaOf(f.configSchema), defaults: f.defaultConfig as unknown, secretKeys: (f.secretKeys ?? []) as string[],
  }));
}

export function catalogueRoutes(registry: Map<string, AnyFactory>, connectors: () => unknown): ApiRoute[] {
  return [
    route({ method: 'get', path: '/catalogue/authenticators', tag: 'catalogue', summary: 'Authenticators with their config schemas', handler: async () => ({ body: authenticatorCatalogue(registry) }) }),
    route({ method: 'get', path: '/catalogue/connectors', tag: 'catalogue', summary: 'SMS connector types with their config schemas and secret keys', handler: async () => ({ body: connectors() }) }),
  ];
}
