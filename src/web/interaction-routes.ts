// Hosted interaction pages under /interaction/:uid: the flow runner's steps, consent, restart.
// Every route checks that the path uid is the interaction of this browser's cookie.
import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { ClientConfig } from '../config/schema.ts';
import type { FlowState, InteractionInfo, Runner, RunOutcome } from '../flows/runner.ts';
import { isFirstParty } from '../oidc/provider.ts';
import { HttpError } from './errors.ts';
import { checkCsrf, formBody, readForm } from './forms.ts';
import { pickLocale } from './i18n/index.ts';
import type { Render } from './views.ts';

const UID = /^[A-Za-z0-9_-]{1,64}$/;

export interface InteractionDeps {
  provider: Provider;
  runner: Runner;
  render: Render;
  clients: ClientConfig[];
  defaultLocale: string;
}

export function interactionRoutes(deps: InteractionDeps): Router {
  const { provider, runner, render } = deps;
  const router = Router();

  router.use('/interaction/:uid', (req, res, next) => {
    res.set('cache-control', 'no-store');
    if (!UID.test(req.params.uid as string)) return next(new HttpError(400, 'session_not_found'));
    next();
  });

  async function load(req: Request, res: Response) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== req.params.uid) throw new HttpError(400, 'session_not_found');
    const params = details.params as Record<string, string | undefined>;
    const client = await provider.Client.find(String(params.client_id));
    const locale = pickLocale(params.ui_locales, req.get('accept-language'), deps.defaultLocale);
    const info: InteractionInfo = {
      uid: details.uid,
      locale,
      clientName: client?.clientName ?? String(params.client_id),
      expiresAt: details.exp * 1000,
    };
    const state = await runner.state(details.uid, 'sign-in');
    return { details, params, info, state };
  }

  async function respond(req: Request, res: Response, info: InteractionInfo, state: FlowState, outcome: RunOutcome) {
    switch (outcome.kind) {
      case 'render':
        res.status(outcome.status).type('html').send(render(`interaction/${outcome.view}`, {
          ...outcome.model, locale: info.locale, uid: info.uid, stepId: outcome.stepId, csrf: state.csrf, clientName: info.clientName,
        }));
        return;
      case 'next':
      case 'stale':
        res.redirect(303, `/interaction/${info.uid}`);
        return;
      case 'ended':
        res.status(outcome.status).type('html').send(render('error', { locale: info.locale, message: outcome.error }));
        return;
      case 'done': {
        if (!outcome.subject.userId) {
          res.status(200).type('html').send(render('interaction/no-account', { locale: info.locale, phone: outcome.subject.phone }));
          return;
        }
        await provider.interactionFinished(req, res, {
          login: { accountId: outcome.subject.userId, amr: outcome.amr, remember: true },
        }, { mergeWithLastSubmission: false });
      }
    }
  }

  async function finishConsent(req: Request, res: Response, details: Awaited<ReturnType<Provider['interactionDetails']>>) {
    const { prompt, params, session } = details;
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  }

  router.get('/interaction/:uid', async (req, res) => {
    const { details, params, info, state } = await load(req, res);
    if (details.prompt.name === 'consent') {
      if (isFirstParty(deps.clients, String(params.client_id))) return finishConsent(req, res, details);
      const scopes = String(params.scope ?? '').split(' ').filter((s) => /^[a-z_]{1,40}$/.test(s));
      await runner.save(info, state);
      res.type('html').send(render('interaction/consent', {
        locale: info.locale, uid: info.uid, csrf: state.csrf, clientName: info.clientName, scopes,
      }));
      return;
    }
    if (details.prompt.name !== 'login') throw new HttpError(400, 'invalid_request');
    await respond(req, res, info, state, await runner.show(info, state));
  });

  router.post('/interaction/:uid/steps/:stepId', formBody, async (req, res) => {
    const { details, info, state } = await load(req, res);
    const form = readForm(req.body);
    checkCsrf(form, state.csrf);
    if (details.prompt.name !== 'login') throw new HttpError(400, 'invalid_request');
    let outcome = await runner.submit(info, state, String(req.params.stepId), form);
    // Show the next step in this response (no redirect round trip); a reload re-POSTs to a step
    // that is no longer current, which redirects to the interaction page.
    if (outcome.kind === 'next') outcome = await runner.show(info, state);
    await respond(req, res, info, state, outcome);
  });

  router.post('/interaction/:uid/restart', formBody, async (req, res) => {
    const { info, state } = await load(req, res);
    checkCsrf(readForm(req.body), state.csrf);
    await runner.restart(info, state);
    res.redirect(303, `/interaction/${info.uid}`);
  });

  router.post('/interaction/:uid/consent', formBody, async (req, res) => {
    const { details, state } = await load(req, res);
    const form = readForm(req.body);
    checkCsrf(form, state.csrf);
    if (details.prompt.name !== 'consent') throw new HttpError(400, 'invalid_request');
    if (form.decision === 'allow') return finishConsent(req, res, details);
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  });

  return router;
}
