// Delivery reports from providers: Twilio status callbacks (signature checked with the SDK's
// validator) and MessageBird status reports (MessageBird-Signature-JWT). A bad signature gets 403.
import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/schema.ts';
import type { Store } from '../store/types.ts';
import { AppError } from '../errors.ts';

const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 });
const twilioStatus: Record<string, 'delivered' | 'failed'> = { delivered: 'delivered', undelivered: 'failed', failed: 'failed' };
const messagebirdStatus: Record<string, 'delivered' | 'failed'> = { delivered: 'delivered', delivery_failed: 'failed', expired: 'failed' };
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const own = <T>(map: Record<string, T>, key: unknown) => (typeof key === 'string' && Object.hasOwn(map, key) ? map[key] : undefined);

export function statusRoutes(opts: { issuer: string; connectors: ConnectorConfig[]; store: Store; log: Logger; now: () => number }): Router {
  const router = Router();
  const twilio = opts.connectors.find((c) => c.type === 'twilio');
  const messagebird = opts.connectors.find((c) => c.type === 'messagebird' && c.signingKey);

  if (twilio?.type === 'twilio') {
    const url = twilio.statusCallbackUrl ?? `${opts.issuer}/sms/status/twilio`;
    router.post('/sms/status/twilio', form, async (req, res) => {
      const { validateRequest } = (await import('twilio')).default;
      const params = (req.body ?? {}) as Record<string, string>;
      const signature = req.get('x-twilio-signature') ?? '';
      if (!signature || !validateRequest(twilio.authToken, signature, url, params)) throw new AppError(403, 'bad_signature');
      const status = own(twilioStatus, params.MessageStatus);
      if (status && typeof params.MessageSid === 'string') {
        const known = await opts.store.smsOutbox.reportStatus('twilio', params.MessageSid, status, opts.now(), status === 'failed' ? String(params.ErrorCode ?? 'failed') : undefined);
        opts.log.info({ connector: 'twilio', providerMessageId: params.MessageSid, status, known }, 'sms delivery report');
      }
      res.status(204).end();
    });
  }

  if (messagebird?.type === 'messagebird') {
    const key = new TextEncoder().encode(messagebird.signingKey!);
    const handler = async (req: Request, res: express.Response) => {
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
      }
      res.status(200).type('text').send('OK');
    };
    router.get('/sms/status/messagebird', handler);
    router.post('/sms/status/messagebird', express.raw({ type: '*/*', limit: '16kb' }), handler);
  }
  return router;
}
