// The baseline: a bare oidc-provider 9 in express 5 with a fixed account and no real sign-in.
// Same client, same scope/claims policy and token lifetimes as flowgate, in-memory adapter.
// Env: PORT (required), BARE_ISSUER (default http://127.0.0.1:PORT).
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { BENCH_CLIENT, BENCH_PHONES } from './shared.ts';

const ACCOUNT_ID = 'bench-user';

async function signingKeys() {
  // Like flowgate: one RS256 2048-bit key.
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return { keys: [jwk] };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set');
  const issuer = process.env.BARE_ISSUER ?? `http://127.0.0.1:${port}`;

  const configuration: Configuration = {
    // No adapter: oidc-provider's default in-memory (LRU) adapter.
    clients: [{
      client_id: BENCH_CLIENT.client_id,
      client_secret: BENCH_CLIENT.client_secret,
      redirect_uris: BENCH_CLIENT.redirect_uris,
      grant_types: BENCH_CLIENT.grant_types,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, phone_number: BENCH_PHONES[0]!, phone_number_verified: true };
        },
      };
    },
    jwks: (await signingKeys()) as Configuration['jwks'],
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    claims: { openid: ['sub'], phone: ['phone_number', 'phone_number_verified'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    responseTypes: ['code'],
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    // Consent is never asked: the grant for the requested scope is created (or extended) and saved.
    async loadExistingGrant(ctx) {
      const { client, session, params, result } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = (result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
      const grant = (grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined)
        ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    ttl: {
      AuthorizationCode: 60,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      AccessToken: 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    rotateRefreshToken: true,
  };

  const provider = new Provider(issuer, configuration);

  const app = express();
  app.disable('x-powered-by');

  app.get('/interaction/:uid', async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== req.params.uid) {
      res.status(400).type('text').send('interaction mismatch');
      return;
    }
    const uid = encodeURIComponent(details.uid);
    res.set('cache-control', 'no-store').type('html').send(
      `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>`
      + `<form method="post" action="/interaction/${uid}/login"><button type="submit">Sign in</button></form>`
      + `</body></html>`,
    );
  });

  app.post('/interaction/:uid/login', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== req.params.uid) {
      res.status(400).type('text').send('interaction mismatch');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT_ID } }, { mergeWithLastSubmission: false });
  });

  app.use(provider.callback());

  const server = createServer(app);
  server.listen(port, '127.0.0.1');
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-provider: cannot start\n${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
