// Builds a connector from its config entry (sending, retries and failover: src/sms/delivery/).
import type { ConnectorConfig } from '../config/schema.ts';
import { connectorTypes } from './connectors/registry.ts';
import type { SmsConnector } from './types.ts';

/** Builds a connector from its config; provider SDKs are imported only when configured. */
export async function createConnector(config: ConnectorConfig): Promise<SmsConnector> {
  const type = connectorTypes[config.type];
  const module = await type.load();
  return (module.create as (c: ConnectorConfig) => SmsConnector)(config);
}
