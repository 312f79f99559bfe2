// `outbox` connector config: the JSON-lines file that receives messages.
import { z } from 'zod';

export const configSchema = z.object({
  type: z.literal('outbox'),
  /** File that receives one JSON line per message. */
  path: z.string().min(1).default('./data/outbox.jsonl'),
}).strict();
export const secretKeys = [] as const;
