// Builds connectors from config and sends through them in order (the next one takes over
// when a connector is unavailable or rate limited). Message bodies are never logged.
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/schema.ts';
import { connectorTypes } from './connectors/registry.ts';
import { SmsError, type SmsConnector, type SmsMessage } from './types.ts';

export interface SmsSender {
  send(msg: SmsMessage): Promise<void>;
}

/** Builds a connector from its config; provider SDKs are imported only when configured. */
export async function createConnector(config: ConnectorConfig): Promise<SmsConnector> {
  const type = connectorTypes[config.type];
  const module = await type.load();
  return (module.create as (c: ConnectorConfig) => SmsConnector)(config);
}

export function createSmsSender(connectors: SmsConnector[], log: Logger): SmsSender {
  return {
    async send(msg) {
      let last: SmsError = new SmsError('invalid_config', 'no connectors');
      for (const connector of connectors) {
        try {
          const { providerMessageId } = await connector.send(msg);
          log.info({ connector: connector.id, usage: msg.usage, providerMessageId }, 'sms sent');
          return;
        } catch (err) {
          last = err instanceof SmsError ? err : new SmsError('unavailable', (err as Error).message);
          log.warn({ connector: connector.id, code: last.code, detail: last.detail }, 'sms send failed');
          if (last.code !== 'unavailable' && last.code !== 'rate_limited') break;
        }
      }
      throw last;
    },
  };
}
