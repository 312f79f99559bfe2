// Every SMS connector type: its config schema and secret keys (small, always loaded) and its
// implementation (imported only when configured, so unused provider SDKs cost nothing).
import type { z } from 'zod';
import type { SmsConnector } from '../types.ts';
import * as aliyunConfig from './aliyun/config.ts';
import * as consoleConfig from './console/config.ts';
import * as messagebirdConfig from './messagebird/config.ts';
import * as outboxConfig from './outbox/config.ts';
import * as tencentConfig from './tencent/config.ts';
import * as textlocalConfig from './textlocal/config.ts';
import * as twilioConfig from './twilio/config.ts';
import * as vonageConfig from './vonage/config.ts';
import * as webhookConfig from './webhook/config.ts';

export interface ConnectorType {
  configSchema: z.ZodType<{ type: string }>;
  secretKeys: readonly string[];
  load(): Promise<{ create(config: never): SmsConnector }>;
}

export const connectorTypes = {
  console: { ...consoleConfig, load: () => import('./console/index.ts') },
  outbox: { ...outboxConfig, load: () => import('./outbox/index.ts') },
  twilio: { ...twilioConfig, load: () => import('./twilio/index.ts') },
  messagebird: { ...messagebirdConfig, load: () => import('./messagebird/index.ts') },
  textlocal: { ...textlocalConfig, load: () => import('./textlocal/index.ts') },
  vonage: { ...vonageConfig, load: () => import('./vonage/index.ts') },
  aliyun: { ...aliyunConfig, load: () => import('./aliyun/index.ts') },
  tencent: { ...tencentConfig, load: () => import('./tencent/index.ts') },
  webhook: { ...webhookConfig, load: () => import('./webhook/index.ts') },
} satisfies Record<string, ConnectorType>;

export type ConnectorTypeId = keyof typeof connectorTypes;
