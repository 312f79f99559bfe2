// Console pages for accounts (search; unlock, disable/enable, revoke sessions) and the audit log.
import { Router } from 'express';
import type { Change } from '../../accounts/index.ts';
import { AppError } from '../../errors.ts';
import { userView } from '../api/users.ts';
import { actorOf, consoleForm, postedForm, sendPage, when, type ConsoleDeps } from './common.ts';

export function userPages(deps: ConsoleDeps): Router {
  const { admin } = deps;
  const router = Router();

  router.get('/users', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    const users = (await admin.store.users.search(q, 50)).map(userView);
    const done = typeof req.query.done === 'string' ? req.query.done.slice(0, 100) : undefined;
    sendPage(deps, res, 'admin/users', 'Users', {
      q, done, users: users.map((u) => ({ ...u, created: when(u.createdAt), roleList: u.roles.join(', ') })),
    });
  });

  const missing = (id: string) => new AppError(404, 'not_found', { detail: `no account with id '${id}'` });
  const check = (c: Change, id: string) => { if (c.kind === 'missing') throw missing(id); };
  const actions: Record<string, (id: string, actor: string) => Promise<void>> = {
    unlock: async (id, actor) => { if ((await admin.accounts.unlock({ userId: id }, { actor })).kind === 'missing') throw missing(id); },
    disable: async (id, actor) => check(await admin.accounts.disable(id, { actor }), id),
    enable: async (id, actor) => check(await admin.accounts.enable(id, { actor }), id),
    'revoke-sessions': async (id, actor) => check(await admin.accounts.revokeSessions(id, { actor }), id),
  };
  router.post('/users/:id/:action', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const run = Object.hasOwn(actions, req.params.action) ? actions[req.params.action] : undefined;
    if (!run) throw new AppError(404, 'not_found');
    await run(req.params.id, actorOf(res));
    const q = form.q ? `&q=${encodeURIComponent(form.q)}` : '';
    res.redirect(303, `/admin/users?done=${encodeURIComponent(req.params.action)}${q}`);
  });

  router.get('/audit', async (_req, res) => {
    const entries = await admin.store.config.audit({ limit: 100 });
    const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
    sendPage(deps, res, 'admin/audit', 'Audit', {
      entries: entries.map((e) => ({
        ...e, when: when(e.at),
        changes: (Array.isArray(e.diff) ? e.diff as { path: string; from?: unknown; to?: unknown }[] : []).slice(0, 50)
          .map((d) => ({ path: d.path, from: show(d.from), to: show(d.to) })),
      })),
    });
  });

  return router;
}
