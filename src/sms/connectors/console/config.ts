// `console` connector config: nothing to set.
import { z } from 'zod';

export const configSchema = z.object({ type: z.literal('console') }).strict();
export const secretKeys = [] as const;
