// Delivery reports from providers: Twilio status callbacks (signature checked with the SDK's
// validator) and MessageBird status reports (MessageBird-Signature-JWT). A bad signature gets 403.
// The keys come from the chain in use at each request (an admin may replace it); a provider that is
// not in the chain has no route (404).
import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/schema.ts';
import type { Store } from '../store/types.ts';
import { AppError } from '../errors.ts';
import type { Recorder } from '../metrics/recorder.ts';

const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 });
const twilioStatus: Record<string, 'delivered' | 'failed'> = { delivered: 'delivered', undelivered: 'failed', failed: 'failed' };
const messagebirdStatus: Record<string, 'delivered' | 'failed'> = { delivered: 'delivered', delivery_failed: 'failed', expired: 'failed' };
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const own = <T>(map: Record<string, T>, key: unknown) => (typeof key === 'string' && Object.hasOwn(map, key) ? map[key] : undefined);

/** `connectors`: the chain, or a function returning the chain in use (a live chain). */
export function statusRoutes(opts: {
  issuer: string; connectors: readonly ConnectorConfig[] | (() => readonly ConnectorConfig[]); store: Store; log: Logger; now: () => number;
  record?: Pick<Recorder, 'smsReport'>;
}): Router {
  const router = Router();
  const chain = typeof opts.connectors === 'function' ? opts.connectors : () => opts.connectors as readonly ConnectorConfig[];
  const find = <T extends ConnectorConfig['type']>(type: T) => chain().find((c): c is Extract<ConnectorConfig, { type: T }> => c.type === type
    && (c.type !== 'messagebird' || Boolean(c.signingKey)));
  /** Passes the request on (as if there were no route) while the chain has no such connector. */
  const configured = (type: 'twilio' | 'messagebird'): express.RequestHandler => (_req, _res, next) => { next(find(type) ? undefined : 'router'); };
  const current = <T extends 'twilio' | 'messagebird'>(type: T) => {
    const found = find(type);
    if (!found) throw new AppError(404, 'not_found'); // removed from the chain since the request came in
    return found;
  };

  router.post('/sms/status/twilio', configured('twilio'), form, async (req, res) => {
    const twilio = current('twilio');
    const url = twilio.statusCallbackUrl ?? `${opts.issuer}/sms/status/twilio`;
    const { validateRequest } = (await import('twilio')).default;
    const params = (req.body ?? {}) as Record<string, string>;
    const signature = req.get('x-twilio-signature') ?? '';
    if (!signature || !validateRequest(twilio.authToken, signature, url, params)) throw new AppError(403, 'bad_signature');
    const status = own(twilioStatus, params.MessageStatus);
    if (status && typeof params.MessageSid === 'string') {
      const known = await opts.store.smsOutbox.reportStatus('twilio', params.MessageSid, status, opts.now(), status === 'failed' ? String(params.ErrorCode ?? 'failed') : undefined);
      opts.log.info({ connector: 'twilio', providerMessageId: params.MessageSid, status, known }, 'sms delivery report');
      if (known) opts.record?.smsReport('twilio', status);
    }
    res.status(204).end();
  });

  {
    const handler = async (req: Request, res: express.Response) => {
      const key = new TextEncoder().encode(current('messagebird').signingKey!);
      const token = req.get('messagebird-signature-jwt') ?? '';
      const raw = (req.body instanceof Buffer ? req.body : Buffer.alloc(0));
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'MessageBird', algorithms: ['HS256'] });
        if (payload.url_hash !== sha256(`${opts.issuer}${req.originalUrl}`)) throw new Error('url');
        if (raw.length ? payload.payload_hash !== sha256(raw) : payload.payload_hash !== undefined) throw new Error('payload');
      } catch {
        throw new AppError(403, 'bad_signature');
      }
      const params = raw.length ? Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) : (req.query as Record<string, unknown>);
      const status = own(messagebirdStatus, params.status);
      if (status && typeof params.id === 'string') {
        const known = await opts.store.smsOutbox.reportStatus('messagebird', params.id, status, opts.now(), status === 'failed' ? String(params.status) : undefined);
        opts.log.info({ connector: 'messagebird', providerMessageId: params.id, status, known }, 'sms delivery report');
        if (known) opts.record?.smsReport('messagebird', status);
      }
      res.status(200).type('text').send('OK');
    };
    router.get('/sms/status/messagebird', configured('messagebird'), handler);
    router.post('/sms/status/messagebird', configured('messagebird'), express.raw({ type: '*/*', limit: '16kb' }), handler);
  }
  return router;
}
