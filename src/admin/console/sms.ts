// Console page for SMS: the connector chain (never a secret value: only which secrets are set),
// a test send, and the global templates per usage × locale with the live preview.
import { Router, type Response } from 'express';
import { AppError } from '../../errors.ts';
import type { SmsTemplates } from '../../live/documents.ts';
import { usages } from '../../sms/types.ts';
import { actorOf, change, consoleForm, fieldError, ifMatchOf, postedForm, sendPage, shownError, type ConsoleDeps, type ShownError } from './common.ts';
import { previewView } from './schema-form.ts';

export function smsPages(deps: ConsoleDeps): Router {
  const { admin } = deps;
  const router = Router();

  async function show(res: Response, opts: { error?: ShownError; testError?: ShownError; result?: unknown; submitted?: SmsTemplates; status?: number } = {}) {
    const { connectors } = await admin.sms.connectors();
    const { templates: stored, head } = await admin.sms.templates();
    const templates = opts.submitted ?? stored;
    const chain = connectors.map((c, i) => {
      const { type, secretsSet, ...rest } = c;
      return {
        index: i, type, secretsSet: secretsSet.join(', '),
        fields: Object.entries(rest).map(([k, v]) => ({ key: k, value: typeof v === 'string' ? v : JSON.stringify(v) })),
      };
    });
    sendPage(deps, res, 'admin/sms', 'SMS', {
      chain, rev: head.rev, error: opts.error, testError: opts.testError, result: opts.result,
      usages: usages.map((u) => ({
        usage: u,
        entries: Object.entries(templates[u] ?? {}).map(([locale, text]) => ({
          locale, name: `t.${u}.${locale}`, value: text, preview: previewView(admin.sms, text, u),
          error: fieldError(opts.error, (p) => p === `/${u}/${locale}`),
        })),
        error: fieldError(opts.error, (p) => p === `/${u}`),
      })),
    }, opts.status ?? 200);
  }

  router.get('/sms', async (_req, res) => { await show(res); });

  router.post('/sms/test', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const connector = form.connector ? Number(form.connector) : undefined;
    try {
      const result = await admin.sms.testSend(form.to ?? '', connector !== undefined && Number.isInteger(connector) ? connector : undefined, actorOf(res));
      await show(res, { result });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      await show(res, { testError: shownError(err), status: err.status });
    }
  });

  router.post('/sms/templates', consoleForm, async (req, res) => {
    const form = postedForm(req, res);
    const next: Record<string, Record<string, string>> = {};
    for (const [name, value] of Object.entries(form)) {
      const m = /^t\.([^.]+)\.(.+)$/.exec(name);
      if (m && value.trim() !== '') (next[m[1]!] ??= {})[m[2]!] = value;
    }
    for (const u of usages) {
      const locale = (form[`new.${u}.locale`] ?? '').trim();
      const text = form[`new.${u}.text`] ?? '';
      if (locale && text.trim()) (next[u] ??= {})[locale] = text;
    }
    await change(res, async () => {
      await admin.sms.setTemplates(next, ifMatchOf(form), actorOf(res));
      await deps.live.refresh();
      return '/admin/sms';
    }, async (err) => show(res, { error: shownError(err, 'The SMS templates'), submitted: next as SmsTemplates, status: err.status }));
  });

  return router;
}
