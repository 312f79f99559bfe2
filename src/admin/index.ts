// The admin side assembled: the services (flows, SMS, accounts) that the API and the console
// both call, and the API's route table.
import type { Accounts } from '../accounts/index.ts';
import type { AnyFactory } from '../flows/registry.ts';
import type { Live } from '../live/index.ts';
import { connectorCatalogue } from '../sms/connectors/catalogue.ts';
import type { Store } from '../store/types.ts';
import { auditRoutes } from './api/audit.ts';
import { catalogueRoutes } from './api/catalogue.ts';
import { clientRoutes } from './api/clients.ts';
import type { ApiRoute } from './api/define.ts';
import { flowRoutes } from './api/flows.ts';
import { keyRoutes } from './api/keys.ts';
import { smsRoutes } from './api/sms.ts';
import { userRoutes } from './api/users.ts';
import type { ClientService } from './service/clients.ts';
import { flowService } from './service/flows.ts';
import type { KeyService } from './service/keys.ts';
import { smsService, type SmsServiceDeps } from './service/sms.ts';

export interface AdminDeps extends SmsServiceDeps {
  store: Store;
  live: Live;
  registry: Map<string, AnyFactory>;
  accounts: Accounts;
  keys: KeyService;
  clients: ClientService;
}

export function createAdmin(deps: AdminDeps) {
  const flows = flowService(deps);
  const sms = smsService(deps);
  const routes: ApiRoute[] = [
    ...flowRoutes(flows),
    ...smsRoutes(sms),
    ...userRoutes(deps.store, deps.accounts),
    ...auditRoutes(deps.store),
    ...keyRoutes(deps.keys),
    ...clientRoutes(deps.clients),
    ...catalogueRoutes(deps.registry, connectorCatalogue),
  ];
  return { flows, sms, accounts: deps.accounts, store: deps.store, registry: deps.registry, routes };
}

export type Admin = ReturnType<typeof createAdmin>;
