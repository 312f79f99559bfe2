// The interaction facade: what the hosted pages (src/web) need from oidc-provider, in our own
// types, so that nothing under src/web or src/admin imports oidc-provider (test/unit/layering.test.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { finishedFlowResult } from './provider.ts';

/** One pending interaction (/interaction/:uid) as the pages see it. */
export interface InteractionDetails {
  uid: string;
  /** Seconds since the epoch. */
  exp: number;
  params: Record<string, unknown>;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  /** The provider session the interaction belongs to, when the browser has one. */
  session?: { accountId: string; uid: string };
  grantId?: string;
}

/** How a login ends: the account, its authentication methods (RFC 8176), and what the interaction ran. */
export interface LoginResult {
  accountId: string;
  amr: string[];
  /** The selected flow (`flow=change-phone`) that ran, which satisfies the login check. */
  finishedFlow?: string;
  /** The interaction answered a `prompt=create` request. */
  created?: boolean;
}

type Req = IncomingMessage;
type Res = ServerResponse;

/** `current` gives the provider in force (it is rebuilt when the keys change, src/oidc/live-provider.ts). */
export function createInteractions(current: () => Provider) {
  return {
    /** The interaction of this browser's cookie; throws the provider's SessionNotFound when there is none. */
    async details(req: Req, res: Res): Promise<InteractionDetails> {
      const d = await current().interactionDetails(req, res);
      return {
        uid: d.uid,
        exp: d.exp,
        params: d.params,
        prompt: { name: d.prompt.name, reasons: d.prompt.reasons, details: d.prompt.details },
        ...(d.session ? { session: { accountId: d.session.accountId, uid: d.session.uid } } : {}),
        ...(d.grantId ? { grantId: d.grantId } : {}),
      };
    },

    /** The registered client's display name, when the client exists and has one. */
    async clientName(clientId: string): Promise<string | undefined> {
      return (await current().Client.find(clientId))?.clientName;
    },

    async finishLogin(req: Req, res: Res, login: LoginResult): Promise<void> {
      await current().interactionFinished(req, res, {
        login: { accountId: login.accountId, amr: login.amr, remember: true },
        ...(login.finishedFlow ? finishedFlowResult(login.finishedFlow) : {}),
        ...(login.created ? { create: {} } : {}),
      }, { mergeWithLastSubmission: false });
    },

    /** Grants what the consent prompt found missing (scopes, claims) and finishes the interaction. */
    async finishConsent(req: Req, res: Res, details: InteractionDetails): Promise<void> {
      const { prompt, params, session } = details;
      const provider = current();
      const grant = details.grantId
        ? (await provider.Grant.find(details.grantId))!
        : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
      const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
    },

    /** Ends the interaction with an OAuth error for the client (the person declined). */
    async abort(req: Req, res: Res, error: string, description: string): Promise<void> {
      await current().interactionFinished(req, res, { error, error_description: description }, { mergeWithLastSubmission: false });
    },
  };
}

export type Interactions = ReturnType<typeof createInteractions>;
