// /admin/api/audit: who changed what, when (a diff per change), newest first.
import { z } from 'zod';
import type { Store } from '../../store/types.ts';
import { route, type ApiRoute } from './define.ts';

export function auditRoutes(store: Store): ApiRoute[] {
  return [
    route({
      method: 'get', path: '/audit', tag: 'audit', summary: 'The audit log, newest first (page with `before`)',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        before: z.coerce.number().int().min(1).optional(),
        target: z.string().max(200).optional(),
      }),
      handler: async ({ query }) => ({ body: await store.config.audit(query as { limit: number; before?: number; target?: string }) }),
    }),
  ];
}
