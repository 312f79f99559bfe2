// /admin/api/keys: the key ring (kid, algorithm, state, times; never private material) and a
// rotation, the same as `flowgate keys rotate` (README, "Keys"); every instance uses it from its next request.
import { z } from 'zod';
import type { KeyService, RotateOptions } from '../service/keys.ts';
import { route, type ApiRoute } from './define.ts';

export function keyRoutes(keys: KeyService): ApiRoute[] {
  return [
    route({
      method: 'get', path: '/keys', tag: 'keys', summary: 'The signing and cookie keys: id, algorithm, state (next, active, retiring, retired) and times',
      handler: async () => ({ body: await keys.list() }),
    }),
    route({
      method: 'post', path: '/keys/rotate', tag: 'keys',
      summary: 'A new signing key (published now, signing after keys.activateAfterSeconds, or at once with now: true) and/or cookie key; both when neither is named',
      body: z.object({ signing: z.boolean().optional(), cookie: z.boolean().optional(), now: z.boolean().optional() }).strict(),
      ok: { status: 200, description: 'the keys added and the ones they replace (with their retire time)' },
      handler: async ({ body, actor }) => ({ body: await keys.rotate(body as RotateOptions, actor) }),
    }),
  ];
}
