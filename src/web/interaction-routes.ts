// Hosted interaction pages under /interaction/:uid: the flow runner's steps, flow switches
// (create account, forgot password), alternatives, consent and restart. Every route checks
// that the path uid is the interaction of this browser's cookie.
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { ClientConfig } from '../config/schema.ts';
import type { Choice, FlowState, InteractionInfo, Runner, RunOutcome } from '../flows/runner.ts';
import type { InteractionDetails, Interactions } from '../oidc/interactions.ts';
import { FLOW_PARAM, isFirstParty } from '../oidc/provider.ts';
import type { SmsQueue } from '../sms/delivery/worker.ts';
import type { Store } from '../store/types.ts';
import type { Guard } from '../guard/index.ts';
import type { Live } from '../live/index.ts';
import { completeFlow } from './complete-flow.ts';
import { interactionLock } from './interaction-lock.ts';
import { AppError } from '../errors.ts';
import { classify, refusalStatus } from './errors.ts';
import { checkCsrf, formBody, readForm } from './forms.ts';
import { hasMessage, pickLocale, translate } from './i18n/index.ts';
import { localizeChoices } from './choice-labels.ts';
import type { Render } from './views.ts';

const UID = /^[A-Za-z0-9_-]{1,64}$/;
type Details = InteractionDetails;

export interface InteractionDeps {
  interactions: Interactions;
  runner: Runner;
  render: Render;
  clients: ClientConfig[];
  store: Store;
  defaultLocale: string;
  guard: Guard;
  /** The active flows and bindings (refreshed from the store on every request). */
  live: Live;
  sms: SmsQueue;
  log: Logger;
  now?: () => number;
}

export function interactionRoutes(deps: InteractionDeps): Router {
  const { interactions, runner, render } = deps;
  const router = Router();
  const { live } = deps;
  /**
   * The flow a "switch" names: a purpose (sign-in, register, reset-credentials) resolves through
   * the bindings; a flow id is accepted when it is bound to one of those.
   */
  const switchTarget = (name: string): string | undefined => {
    const purposes = ['sign-in', 'register', 'reset-credentials'] as const;
    const byPurpose = (purposes as readonly string[]).includes(name) ? live.bound(name as (typeof purposes)[number]) : undefined;
    return byPurpose ?? purposes.map((p) => live.bound(p)).find((id) => id === name);
  };

  router.use('/interaction/:uid', (req, res, next) => {
    res.set('cache-control', 'no-store');
    if (!UID.test(req.params.uid as string)) return next(new AppError(400, 'session_not_found'));
    next();
  });
  // One request of an interaction at a time, on every instance; the code page's status poll only reads, so it never waits.
  // Only this browser's own interaction is locked (its signed cookie names it): a stranger who
  // knows a uid cannot hold someone else's sign-in, nor make the store count lock attempts.
  const lock = interactionLock(deps.store.locks, deps.log);
  // The details the ownership check read, reused by load(): one interaction read per request. What
  // the pages use of them (uid, params, prompt, session, expiry) is fixed when the interaction is
  // made; what a request changes is the flow state, which load() reads under the lease.
  const owned = new WeakMap<Request, Details>();
  const ownAndLocked = async (req: Request, res: Response, next: () => void) => {
    const details = await interactions.details(req, res).catch((err: unknown) => {
      if (classify(err).code === 'session_not_found') return undefined;
      throw err;
    });
    if (!details || details.uid !== req.params.uid) throw new AppError(400, 'session_not_found');
    owned.set(req, details);
    await lock(req, res, next);
  };
  // The routes below that read and write the flow state (a path with no route stays a 404).
  router.get('/interaction/:uid', ownAndLocked);
  router.post(['/interaction/:uid/steps/:stepId', '/interaction/:uid/restart', '/interaction/:uid/flow/:flowId',
    '/interaction/:uid/choose', '/interaction/:uid/consent'], ownAndLocked);
  router.use('/interaction/:uid', async (_req, _res, next) => { await live.refresh(); next(); });

  async function load(req: Request, res: Response) {
    const details = owned.get(req) ?? await interactions.details(req, res);
    if (details.uid !== req.params.uid) throw new AppError(400, 'session_not_found');
    const params = details.params as Record<string, string | undefined>;
    const locale = pickLocale(params.ui_locales, req.get('accept-language'), deps.defaultLocale);
    res.locals.locale = locale; // an error page raised from here on speaks it too
    const info: InteractionInfo = {
      uid: details.uid,
      locale,
      clientName: await interactions.clientName(String(params.client_id)) ?? String(params.client_id),
      expiresAt: details.exp * 1000,
      // express's req.ip: the socket's address, or X-Forwarded-For only when `trustProxy` is set.
      ip: req.ip ?? '',
    };
    const selected = await selectedFlow(details, params);
    const register = details.prompt.name === 'create' ? live.bound('register') : undefined;
    const flowId = register ?? selected?.flowId ?? live.bound('sign-in')!;
    const state = await runner.state(details.uid, flowId, selected?.origin);
    return { details, params, info, state };
  }

  /**
   * `flow=change-phone` with a provider session: that flow, for the session's account (never a
   * typed number). Without a session the sign-in flow runs first; the login check then opens a
   * second interaction for the selected flow.
   */
  async function selectedFlow(details: Details, params: Record<string, string | undefined>) {
    const flowId = params[FLOW_PARAM] === 'change-phone' ? live.bound('change-phone') : undefined;
    const accountId = details.session?.accountId;
    if (!flowId || !accountId || details.prompt.name !== 'login') return undefined;
    const user = await deps.store.users.findById(accountId);
    if (!user) throw new AppError(400, 'session_not_found');
    return { flowId, origin: { userId: user.id, phone: user.phone } };
  }

  const page = (res: Response, status: number, view: string, model: Record<string, unknown> & { locale: string }) =>
    res.status(status).type('html').send(render(view, model));

  async function login(req: Request, res: Response, details: Details, accountId: string, amr: string[], finishedFlow?: string) {
    await interactions.finishLogin(req, res, {
      accountId, amr, ...(finishedFlow ? { finishedFlow: 'change-phone' } : {}) /* the purpose `flow=` names */, created: details.prompt.name === 'create',
    });
  }

  async function respond(req: Request, res: Response, details: Details, info: InteractionInfo, state: FlowState, outcome: RunOutcome): Promise<void> {
    const base = { locale: info.locale, uid: info.uid, csrf: state.csrf, clientName: info.clientName, signInFlow: 'sign-in' };
    switch (outcome.kind) {
      case 'render': {
        // Registering a number that has an account: say so as soon as the number is proven.
        if (outcome.flow.kind === 'register' && state.subject.userId && state.subject.phoneVerified === state.subject.phone) {
          return void page(res, 200, 'interaction/account-exists', { ...base, phone: state.subject.phone });
        }
        const localize = (list: Choice[]) => localizeChoices(info.locale, list);
        const { then, options } = outcome.model as { then?: Choice[]; options?: Choice[] };
        page(res, refusalStatus(outcome.refusal), `interaction/${outcome.view}`, {
          ...outcome.model, ...base, stepId: outcome.stepId, choices: localize(outcome.choices),
          ...(then ? { then: localize(then) } : {}), ...(options ? { options: localize(options) } : {}),
          canRegister: outcome.flow.kind === 'sign-in' && Boolean(live.bound('register')),
          canReset: outcome.flow.kind === 'sign-in' && Boolean(live.bound('reset-credentials')),
          flowKind: outcome.flow.kind,
        });
        return;
      }
      case 'next':
      case 'stale':
        res.redirect(303, `/interaction/${info.uid}`);
        return;
      case 'ended':
        page(res, refusalStatus(outcome), 'error', { locale: info.locale, message: outcome.error });
        return;
      case 'done': {
        const done = await finish(req, res, details, info, state, outcome);
        if (done.kind === 'page') return void page(res, 200, done.view, { ...done.model, ...base });
        if (done.kind === 'switch') return respond(req, res, details, info, state, await runner.show(info, state));
        return;
      }
    }
  }

  /** A finished flow: signs in (the response is sent), moves to the next flow, or names the page to show. */
  async function finish(req: Request, res: Response, details: Details, info: InteractionInfo, state: FlowState, outcome: Extract<RunOutcome, { kind: 'done' }>) {
    const hasFlow = (id: string) => Boolean(switchTarget(id));
    const done = await completeFlow({ ...deps, signInFlow: 'sign-in', hasFlow }, outcome.flow, outcome.subject, outcome.amr, { uid: details.session?.uid });
    if (done.kind === 'login') {
      await runner.finished(info, state); // one sign-in per interaction, whatever comes after
      await login(req, res, details, done.accountId, done.amr, done.finishedFlow);
    }
    if (done.kind === 'switch') await runner.switchFlow(info, state, switchTarget(done.flowId) ?? done.flowId, done.carry, done.notice);
    return done;
  }

  const finishConsent = (req: Request, res: Response, details: Details) => interactions.finishConsent(req, res, details);

  router.get('/interaction/:uid', async (req, res) => {
    const { details, params, info, state } = await load(req, res);
    if (details.prompt.name === 'consent') {
      if (isFirstParty(deps.clients, String(params.client_id))) return finishConsent(req, res, details);
      const scopes = String(params.scope ?? '').split(' ').filter((s) => /^[a-z_]{1,40}$/.test(s));
      await runner.save(info, state);
      return void page(res, 200, 'interaction/consent', { locale: info.locale, uid: info.uid, csrf: state.csrf, clientName: info.clientName, scopes });
    }
    if (details.prompt.name !== 'login' && details.prompt.name !== 'create') throw new AppError(400, 'invalid_request');
    await respond(req, res, details, info, state, await runner.show(info, state));
  });

  /**
   * How the newest code's SMS is doing, for the code page's script (public/app.js): `pending`
   * while queued or being sent, `sent` once a provider took it, `failed` with the sentence the
   * page shows in place of "We sent…". Only this browser's interaction; nothing about the number.
   */
  router.get('/interaction/:uid/sms-status', async (req, res) => {
    // The page may still poll while its code is being submitted: once the interaction has ended
    // (or was never this browser's) the answer is a plain "ended", the same for every uid.
    const loaded = await load(req, res).catch((err: unknown) => {
      if (classify(err).code === 'session_not_found') return undefined;
      throw err;
    });
    if (!loaded) return void res.json({ status: 'ended' });
    const { info } = loaded;
    const latest = await deps.sms.latestFor(info.uid);
    if (latest?.status === 'failed' && latest.error !== 'expired') {
      const key = hasMessage(info.locale, `sms.sms_${latest.error}`) ? `sms.sms_${latest.error}` : 'sms.sms_unavailable';
      return void res.json({ status: 'failed', message: translate(info.locale, key) });
    }
    res.json({ status: latest && (latest.status === 'sent' || latest.status === 'delivered') ? 'sent' : 'pending' });
  });

  /** Loads the interaction and checks the form's CSRF token; only for the login/create prompts. */
  async function loadForm(req: Request, res: Response) {
    const loaded = await load(req, res);
    const form = readForm(req.body);
    checkCsrf(form, loaded.state.csrf);
    if (loaded.details.prompt.name !== 'login' && loaded.details.prompt.name !== 'create') throw new AppError(400, 'invalid_request');
    return { ...loaded, form };
  }

  router.post('/interaction/:uid/steps/:stepId', formBody, async (req, res) => {
    const { details, info, state, form } = await loadForm(req, res);
    const outcome = await runner.submit(info, state, String(req.params.stepId), form);
    // Post/Redirect/Get: a step's POST never answers with a page. The page it produced (an error,
    // "a new code was sent") waits in the flow state for the GET the redirect leads to, so Back,
    // Forward and reload never resubmit the form and never spend an attempt.
    if (outcome.kind === 'done' && (await finish(req, res, details, info, state, outcome)).kind === 'login') return;
    res.redirect(303, `/interaction/${info.uid}`);
  });

  router.post('/interaction/:uid/restart', formBody, async (req, res) => {
    const { info, state } = await loadForm(req, res);
    await runner.restart(info, state);
    res.redirect(303, `/interaction/${info.uid}`);
  });

  router.post('/interaction/:uid/flow/:flowId', formBody, async (req, res) => {
    const { info, state } = await loadForm(req, res);
    const flowId = switchTarget(String(req.params.flowId));
    // A selected flow (change-phone) runs for the session's account: it is never left for another.
    if (!flowId || live.current().flows.get(state.flowId)?.kind === 'change-phone') throw new AppError(404, 'not_found');
    await runner.switchFlow(info, state, flowId, true);
    res.redirect(303, `/interaction/${info.uid}`);
  });

  router.post('/interaction/:uid/choose', formBody, async (req, res) => {
    const { info, state, form } = await loadForm(req, res);
    await runner.choose(info, state, form.step ?? '');
    res.redirect(303, `/interaction/${info.uid}`);
  });

  router.post('/interaction/:uid/consent', formBody, async (req, res) => {
    const { details, state } = await load(req, res);
    const form = readForm(req.body);
    checkCsrf(form, state.csrf);
    if (details.prompt.name !== 'consent') throw new AppError(400, 'invalid_request');
    if (form.decision === 'allow') return finishConsent(req, res, details);
    await interactions.abort(req, res, 'access_denied', 'End-User aborted interaction');
  });

  return router;
}
