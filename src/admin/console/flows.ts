// Console pages for flows: the list, one flow's step tree (requirement, move, remove, add, copy),
// a step's config form (from the catalogue's JSON Schema; templates with a live preview), the
// versions with rollback, and the bindings.
import { Router, type Response } from 'express';
import { flowKinds, requirements, type FlowDef, type Requirement, type StepDef } from '../../flows/model.ts';
import { usages, type Usage } from '../../sms/types.ts';
import { authenticatorCatalogue } from '../api/catalogue.ts';
import { etagOf } from '../service/documents.ts';
import { actorOf, change, consoleForm, fieldError, ifMatchOf, postedForm, sendPage, shownError, when, type ConsoleDeps, type ShownError } from './common.ts';
import { configFields, previewView, readConfig } from './schema-form.ts';

const enc = encodeURIComponent;

interface StepView {
  id: string; pointer: string; authenticator?: string; displayName: string; subflow: boolean; requirement: string;
  choices: { value: string; selected: boolean }[]; first: boolean; last: boolean; configUrl?: string; error?: string; steps?: StepView[];
}

export function flowPages(deps: ConsoleDeps): Router {
  const { admin } = deps;
  const router = Router();
  const catalogue = () => authenticatorCatalogue(admin.registry);
  const entryOf = (id: string | undefined) => catalogue().find((a) => a.id === id);
  const refresh = async () => { await deps.live.refresh(); };

  router.get('/', async (_req, res) => {
    const flows = await admin.flows.list();
    sendPage(deps, res, 'admin/flows', 'Flows', {
      flows: flows.map((f) => ({ ...f, url: `/admin/flows/${enc(f.id)}`, bound: f.boundTo.join(', ') })),
    });
  });

  // ---- one flow --------------------------------------------------------------------------------
  async function showFlow(res: Response, id: string, error?: ShownError, status = 200, errorStep?: string) {
    const { document, head } = await admin.flows.read(id);
    const b = (await admin.flows.bindings()).bindings;
    const boundTo = flowKinds.filter((k) => b[k] === id);
    const tree = (steps: StepDef[], at: string): StepView[] => steps.map((s, i) => {
      const pointer = `${at}/${i}`;
      const entry = entryOf(s.authenticator);
      const choices: readonly Requirement[] = s.steps ? requirements : entry?.requirementChoices ?? [s.requirement];
      const err = (errorStep === s.id ? error?.summary : undefined) ?? fieldError(error, (p) => p === pointer || p.startsWith(`${pointer}/`) && !p.slice(pointer.length).includes('/steps/'));
      return {
        id: s.id, pointer, displayName: entry?.displayName ?? (s.steps ? 'Sub-flow' : s.authenticator ?? ''),
        ...(s.authenticator ? { authenticator: s.authenticator, configUrl: `/admin/flows/${enc(id)}/steps/${enc(s.id)}` } : {}),
        subflow: Boolean(s.steps), requirement: s.requirement,
        choices: choices.map((c) => ({ value: c, selected: c === s.requirement })),
        first: i === 0, last: i === steps.length - 1, ...(err ? { error: err } : {}),
        ...(s.steps ? { steps: tree(s.steps, `${pointer}/steps`) } : {}),
      };
    });
    const subflows: string[] = [];
    const walk = (steps: StepDef[]) => { for (const s of steps) if (s.steps) { subflows.push(s.id); walk(s.steps); } };
    walk(document.steps);
    sendPage(deps, res, 'admin/flow', `Flow ${id}`, {
      flow: document, id, url: `/admin/flows/${enc(id)}`, rev: head.rev, builtIn: head.builtIn, activeVersion: head.activeVersion,
      boundTo: boundTo.join(', '), isBound: boundTo.length > 0, steps: tree(document.steps, '/steps'),
      authenticators: catalogue().map((a) => ({ id: a.id, displayName: a.displayName })), requirements, subflows,
      copyId: `my-${id}`, error, addError: errorStep === '' ? error?.summary : undefined,
    }, status);
  }

  router.get('/flows/:id', async (req, res) => { await showFlow(res, req.params.id); });

  const stepAction = (path: string, run: (id: string, stepId: string, form: Record<string, string>, res: Response) => Promise<unknown>) => {
    router.post(`/flows/:id/steps/:stepId/${path}`, consoleForm, async (req, res) => {
      const form = postedForm(req, res);
      const { id, stepId } = req.params;
      await change(res, async () => { await run(id, stepId, form, res); await refresh(); return `/admin/flows/${enc(id)}`; },
        async (err) => showFlow(res, id, shownError(err, 'This flow'), err.status, stepId));
    });
  };
  stepAction('requirement', (id, stepId, form, res) => admin.flows.setRequirement(id, stepId, form.requirement as Requirement, ifMatchOf(form), actorOf(res)));
  stepAction('move', (id, stepId, form, res) => admin.flows.moveStep(id, stepId, form.direction === 'up' ? 'up' : 'down', ifMatchOf(form), actorOf(res)));
  stepAction('remove', (id, stepId, form, res) => admin.flows.removeStep(id, stepId, ifMatchOf(form), actorOf(res)));

  router.post('/flows/:id/steps', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const id = req.params.id;
    await change(res, async () => {
      const step: StepDef = { id: (form.stepId ?? '').trim(), authenticator: form.authenticator ?? '', requirement: (form.requirement ?? 'REQUIRED') as Requirement };
      await admin.flows.addStep(id, step, form.parent || undefined, undefined, ifMatchOf(form), actorOf(res));
      await refresh();
      return `/admin/flows/${enc(id)}`;
    }, async (err) => showFlow(res, id, shownError(err, 'This flow'), err.status, ''));
  });

  router.post('/flows/:id/copy', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const id = req.params.id;
    await change(res, async () => {
      const newId = (form.newId ?? '').trim();
      await admin.flows.copy(id, newId, actorOf(res));
      if (form.rebind === 'on') {
        const { bindings, head } = await admin.flows.bindings();
        const next = { ...bindings };
        for (const k of flowKinds) if (next[k] === id) next[k] = newId;
        await admin.flows.setBindings(next, etagOf(head), actorOf(res));
      }
      await refresh();
      return `/admin/flows/${enc(newId)}`;
    }, async (err) => showFlow(res, id, shownError(err, 'This flow'), err.status));
  });

  // ---- a step's config ---------------------------------------------------------------------------
  async function showConfig(res: Response, id: string, stepId: string, submitted?: Record<string, unknown>, error?: ShownError, status = 200) {
    const { config, defaults, authenticator, head } = await admin.flows.stepConfig(id, stepId);
    const entry = entryOf(authenticator)!;
    const values = submitted ?? { ...(defaults as Record<string, unknown> ?? {}), ...config };
    const usage = (usages as readonly string[]).includes(String(values.usage)) ? values.usage as Usage : 'sign-in';
    const codeLength = typeof values.codeLength === 'number' ? values.codeLength : undefined;
    const isSms = authenticator === 'sms-otp';
    // Refusals point into the config (`/codeLength`, `/templates/en`); a whole-flow refusal into the flow.
    const topKey = (p: string) => (p.includes('/config/') ? p.split('/config/')[1]! : p.slice(1)).split('/')[0]!;
    const errorOf = (key: string) => fieldError(error, (p) => !p.startsWith('/steps') && topKey(p) === key);
    const fields = configFields(entry.configSchema as never, values, errorOf,
      isSms ? (t) => previewView(admin.sms, t, usage, codeLength) : undefined);
    const shownAlone = new Set(fields.map((f) => f.key));
    const other = error?.fields.filter((f) => f.pointer.startsWith('/steps') || !shownAlone.has(topKey(f.pointer)));
    sendPage(deps, res, 'admin/step', `Step ${stepId}`, {
      id, stepId, flowUrl: `/admin/flows/${enc(id)}`, action: `/admin/flows/${enc(id)}/steps/${enc(stepId)}`, rev: head.rev, builtIn: head.builtIn,
      displayName: entry.displayName, helpText: entry.helpText, fields, usage, codeLength: codeLength ?? '', error, other,
    }, status);
  }

  router.get('/flows/:id/steps/:stepId', async (req, res) => { await showConfig(res, req.params.id, req.params.stepId); });
  router.post('/flows/:id/steps/:stepId', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const { id, stepId } = req.params;
    const { authenticator } = await admin.flows.stepConfig(id, stepId);
    const config = readConfig(entryOf(authenticator)!.configSchema as never, form);
    await change(res, async () => {
      await admin.flows.setConfig(id, stepId, config, ifMatchOf(form), actorOf(res));
      await refresh();
      return `/admin/flows/${enc(id)}/steps/${enc(stepId)}`;
    }, async (err) => showConfig(res, id, stepId, config, shownError(err, 'This flow'), err.status));
  });

  // ---- versions ---------------------------------------------------------------------------------
  async function showVersions(res: Response, id: string, error?: ShownError, status = 200) {
    const { head } = await admin.flows.read(id);
    const versions = (await admin.flows.versions(id)).reverse().map((v) => ({ ...v, when: when(v.createdAt) }));
    sendPage(deps, res, 'admin/versions', `Versions of ${id}`, {
      id, flowUrl: `/admin/flows/${enc(id)}`, url: `/admin/flows/${enc(id)}/versions`, rev: head.rev, versions, error,
    }, status);
  }
  router.get('/flows/:id/versions', async (req, res) => { await showVersions(res, req.params.id); });
  router.post('/flows/:id/versions/:version/activate', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const { id } = req.params;
    await change(res, async () => {
      await admin.flows.activate(id, Number(req.params.version), ifMatchOf(form), actorOf(res));
      await refresh();
      return `/admin/flows/${enc(id)}/versions`;
    }, async (err) => showVersions(res, id, shownError(err, 'This flow'), err.status));
  });

  // ---- bindings ---------------------------------------------------------------------------------
  async function showBindings(res: Response, error?: ShownError, status = 200) {
    const { bindings, head } = await admin.flows.bindings();
    const flows = await admin.flows.list();
    sendPage(deps, res, 'admin/bindings', 'Bindings', {
      rev: head.rev, error,
      purposes: flowKinds.map((k) => ({
        kind: k, name: `b.${k}`, error: fieldError(error, (p) => p === `/${k}`),
        options: flows.filter((f) => f.kind === k).map((f) => ({ value: f.id, selected: bindings[k] === f.id })),
        none: !bindings[k],
      })),
    }, status);
  }
  router.get('/bindings', async (_req, res) => { await showBindings(res); });
  router.post('/bindings', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    await change(res, async () => {
      const next: Record<string, string> = {};
      for (const k of flowKinds) if (form[`b.${k}`]) next[k] = form[`b.${k}`]!;
      await admin.flows.setBindings(next, ifMatchOf(form), actorOf(res));
      await refresh();
      return '/admin/bindings';
    }, async (err) => showBindings(res, shownError(err, 'The bindings'), err.status));
  });

  return router;
}

