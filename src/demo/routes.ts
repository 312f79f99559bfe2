// The built-in demo relying app (development only, when the config file lists no clients): a real
// OIDC login with openid-client against this same server, showing the ID token's claims. The
// language of the home page that started it carries through: ui_locales on the authorization
// request, and the result page in the same language (kept with the login's checks). Its "Sign out"
// is RP-initiated logout: a GET (form) to the end_session endpoint with the ID token as id_token_hint and
// the home page (in that language) as post_logout_redirect_uri, so a new sign-in shows the phone
// page again, with "Create an account" and "Forgot your password?".
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type * as OpenidClient from 'openid-client';
import type { ClientConfig } from '../config/schema.ts';
import { DEMO_CLIENT_ID } from './client-id.ts';
import { AppError } from '../errors.ts';
import { pageLocale } from '../web/errors.ts';
import { locales } from '../web/i18n/index.ts';
import type { Render } from '../web/views.ts';
import { openidClient } from '../web/first-party-client.ts';

const COOKIE = 'flowgate_demo';

/** Seeded in demo mode so the first run can sign in at once. */
export const DEMO_USER = { phone: '+12025550100', name: 'Demo User' };
const PENDING_MAX = 1000;

export function createDemoClient(issuer: string): ClientConfig {
  return {
    client_id: DEMO_CLIENT_ID,
    client_secret: randomBytes(32).toString('base64url'),
    client_name: 'flowgate demo app',
    redirect_uris: [`${issuer}/demo/callback`],
    // The home page, and the home page in each shipped language (where the demo's sign-out returns).
    post_logout_redirect_uris: [`${issuer}/`, ...locales.map((l) => homeIn(issuer, l))],
    grant_types: ['authorization_code', 'refresh_token'],
    firstParty: true,
    adminApi: false,
  };
}

const homeIn = (issuer: string, locale: string) => `${issuer}/?ui_locales=${encodeURIComponent(locale)}`;

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function demoRoutes(issuer: string, client: ClientConfig, render: Render, defaultLocale: string): Router {
  const router = Router();
  const pending = new Map<string, { verifier: string; state: string; nonce: string; locale: string }>();
  let config: Promise<OpenidClient.Configuration> | undefined;
  const insecure = issuer.startsWith('http:');
  const discover = () => {
    config ??= openidClient().then((oidc) => oidc.discovery(new URL(issuer), client.client_id, client.client_secret, undefined,
      insecure ? { execute: [oidc.allowInsecureRequests] } : undefined)).catch((err) => { config = undefined; throw err; });
    return config;
  };
  const secure = !insecure;

  router.post('/demo/login', async (req, res) => {
    // The demo's cookie must live on the issuer's host, or the callback cannot find it.
    if (req.get('host') !== new URL(issuer).host) return res.redirect(303, `${issuer}/`);
    const cfg = await discover();
    const oidc = await openidClient();
    const locale = pageLocale(req, res, defaultLocale);
    const checks = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), locale };
    const id = randomBytes(16).toString('base64url');
    if (pending.size >= PENDING_MAX) pending.delete(pending.keys().next().value!);
    pending.set(id, checks);
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: client.redirect_uris[0]!,
      scope: 'openid phone profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      ui_locales: locale,
    });
    res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, path: '/demo' });
    res.redirect(303, url.href);
  });

  router.get('/demo/callback', async (req, res) => {
    const id = readCookie(req.get('cookie'), COOKIE);
    const checks = id ? pending.get(id) : undefined;
    if (!checks) throw new AppError(400, 'session_not_found');
    pending.delete(id!);
    res.locals.locale = checks.locale;
    const cfg = await discover();
    const oidc = await openidClient();
    const current = new URL(req.originalUrl, issuer);
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce,
      });
    } catch (err) {
      throw new AppError(400, 'oidc', { detail: (err as { error?: string }).error ?? 'invalid_response' });
    }
    res.clearCookie(COOKIE, { path: '/demo' });
    res.set('cache-control', 'no-store').type('html').send(render('demo-callback', {
      locale: checks.locale, claims: JSON.stringify(tokens.claims(), null, 2),
      signOut: { action: cfg.serverMetadata().end_session_endpoint, idToken: tokens.id_token, back: homeIn(issuer, checks.locale) },
    }));
  });

  return router;
}
