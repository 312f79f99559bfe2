// The admin console at /admin: server-rendered pages over the same admin services as the API.
// Mounted after the /admin gates (src/admin/console-auth.ts): every route here sees an admin
// (res.locals.admin) and checks the session's CSRF token on every POST.
import { Router } from 'express';
import type { ConsoleDeps } from './common.ts';
import { flowPages } from './flows.ts';
import { smsPages } from './sms.ts';
import { userPages } from './users.ts';

export type { ConsoleDeps };

export function adminConsole(deps: ConsoleDeps): Router {
  const router = Router();
  router.use(flowPages(deps));
  router.use(smsPages(deps));
  router.use(userPages(deps));
  return router;
}
