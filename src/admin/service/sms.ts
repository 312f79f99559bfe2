// The admin's SMS settings: the connector chain (secrets write-only), test sends, and the global
// templates with a preview. Each change is a new version of a store document (so every instance
// picks it up), audited with a diff in which secrets are masked.
import { stringify } from 'yaml';
import { AppError } from '../../errors.ts';
import type { Live } from '../../live/index.ts';
import { checkTemplates, SINGLETON, type ConnectorChain, type SmsTemplates } from '../../live/documents.ts';
import type { Guard } from '../../guard/index.ts';
import { maskChain, mergeSecrets, validateChain } from '../../sms/connectors/catalogue.ts';
import type { LiveDispatch } from '../../sms/delivery/live.ts';
import { sendTest } from '../../sms/delivery/test-send.ts';
import { previewTemplate } from '../../sms/preview.ts';
import type { Usage } from '../../sms/types.ts';
import type { DocHead, Store } from '../../store/types.ts';
import { expectedRev, invalid, refusal, writeDocument } from './documents.ts';

export interface SmsServiceDeps {
  store: Store; live: Live; chain: LiveDispatch; guard: Guard; now: () => number;
  appName: string; issuer: string; defaultRegion: string; allowedCountries: readonly string[]; production: boolean; allowDevConnectorsInProduction: boolean;
}

export function smsService(deps: SmsServiceDeps) {
  const { store, now } = deps;

  async function current<T>(kind: 'sms-connectors' | 'sms-templates'): Promise<{ body: T; head: DocHead }> {
    const doc = await store.config.active(kind, SINGLETON);
    return { body: doc!.body as T, head: (await store.config.head(kind, SINGLETON))! };
  }

  return {
    /** The chain as any GET shows it: secrets replaced by `secretsSet`. */
    async connectors() {
      const { body, head } = await current<ConnectorChain>('sms-connectors');
      return { connectors: maskChain(body.connectors), head };
    },

    async setConnectors(submitted: unknown, ifMatch: string | undefined, actor: string) {
      const rev = expectedRev(ifMatch, 'the connector chain');
      const { body: stored, head } = await current<ConnectorChain>('sms-connectors');
      if (head.rev !== rev) throw refusal({ ok: false, conflict: 'stale', head }, 'the connector chain');
      const list = (submitted as { connectors?: unknown } | null)?.connectors;
      const result = validateChain({ connectors: Array.isArray(list) ? mergeSecrets(stored.connectors, list) : list }, {
        production: deps.production, allowDevConnectorsInProduction: deps.allowDevConnectorsInProduction,
      });
      const outbox = result.ok ? result.chain.find((c) => c.type === 'outbox' && !stored.connectors.some((o) => o.type === 'outbox' && o.path === c.path)) : undefined;
      if (outbox) {
        // The outbox writes a file: its path comes from the config file, never from an edit.
        throw new AppError(422, 'invalid_document', { detail: 'an outbox connector\'s path is set in the config file only', fields: [{ pointer: `/connectors/${result.ok ? result.chain.indexOf(outbox) : 0}/path`, detail: 'set in the config file only' }] });
      }
      if (!result.ok) throw new AppError(422, 'invalid_document', { detail: `the connector chain is not valid: ${result.problems[0]!.pointer}: ${result.problems[0]!.detail}`, fields: result.problems });
      const wrote = await writeDocument(store, now, {
        kind: 'sms-connectors', id: SINGLETON, body: { connectors: result.chain }, before: stored, expectRev: rev, actor, action: 'sms.connectors.update', what: 'the connector chain',
        // The diff compares what a GET shows: secrets are out of it even when copied into an ordinary field.
        audited: { before: { connectors: maskChain(stored.connectors) }, after: { connectors: maskChain(result.chain) } },
      });
      await deps.live.refresh(); // this instance swaps now; the others on their next request
      return { connectors: maskChain(result.chain), head: wrote };
    },

    /** The chain as config-file YAML, without secrets. */
    async exportConnectors(): Promise<string> {
      const { connectors } = await this.connectors();
      return stringify({ sms: { connectors: connectors.map(({ secretsSet: _s, ...c }) => c) } });
    },

    async testSend(to: string, connectorIndex: number | undefined, actor: string) {
      // A test message counts against the global budget like a notice.
      const budget = await deps.guard.beforeSend({ phone: to, ip: '', kind: 'notice' });
      if (!budget.ok) throw new AppError(429, 'sms_budget', { detail: 'the global SMS budget is spent; try again later' });
      const { body: templates } = await current<SmsTemplates>('sms-templates');
      const result = await sendTest(deps.chain, to, {
        appName: deps.appName, host: new URL(deps.issuer).hostname, defaultRegion: deps.defaultRegion, allowedCountries: deps.allowedCountries,
        templates, ...(connectorIndex !== undefined ? { connectorIndex } : {}),
      });
      if (!result.ok && result.reason === 'invalid_number') throw new AppError(422, 'invalid_document', { detail: `'to' is not a phone number (${result.phone})`, fields: [{ pointer: '/to', detail: result.phone }] });
      if (!result.ok && result.reason === 'destination_refused') throw new AppError(422, 'invalid_document', { detail: `${result.to} may not receive SMS (${result.refused})`, fields: [{ pointer: '/to', detail: result.refused }] });
      if (!result.ok && result.reason === 'no_such_connector') throw new AppError(422, 'invalid_document', { detail: `the chain has no connector ${result.connectorIndex}`, fields: [{ pointer: '/connector', detail: 'no such connector' }] });
      // The audit log keeps the number's prefix only (as the guard's log does).
      await store.config.appendAudit({ actor, action: 'sms.test', target: `phone:${result.to.slice(0, -4)}····`, diff: [{ path: '/sent', op: 'add', to: result.ok }] }, now());
      return result.ok
        ? { sent: true, to: result.to, connector: result.connector, providerMessageId: result.providerMessageId }
        : { sent: false, to: result.to, error: result.error };
    },

    async templates() {
      const { body, head } = await current<SmsTemplates>('sms-templates');
      return { templates: body, head };
    },

    async setTemplates(submitted: unknown, ifMatch: string | undefined, actor: string) {
      const rev = expectedRev(ifMatch, 'the SMS templates');
      const { body: before, head } = await current<SmsTemplates>('sms-templates');
      if (head.rev !== rev) throw refusal({ ok: false, conflict: 'stale', head }, 'the SMS templates');
      let next: SmsTemplates;
      try {
        next = checkTemplates(submitted);
      } catch (err) {
        return invalid(err, 'the SMS templates');
      }
      const wrote = await writeDocument(store, now, { kind: 'sms-templates', id: SINGLETON, body: next, before, expectRev: rev, actor, action: 'sms.templates.update', what: 'the SMS templates' });
      return { templates: next, head: wrote };
    },

    async exportTemplates(): Promise<string> {
      return stringify({ sms: { templates: (await this.templates()).templates } });
    },

    preview(template: string, usage: Usage, codeLength?: number) {
      return previewTemplate(template, {
        usage, ...(codeLength ? { codeLength } : {}),
        sample: { appName: deps.appName, host: new URL(deps.issuer).hostname },
      });
    },
  };
}

export type SmsService = ReturnType<typeof smsService>;
